from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Regexp

from cop.communities.directory import SLUG_PATTERN
from cop.forms_common import SingleLine


class CommunityForm(FlaskForm):
    name = StringField("Name", validators=[
        DataRequired("Enter the community's name"), SingleLine(),
        Length(max=200, message="Name must be 200 characters or fewer")])
    slug = StringField(
        "Short name for web addresses",
        validators=[
            DataRequired("Enter a short name, like mse-big-room"),
            Length(max=60, message="Short name must be 60 characters or fewer"),
            Regexp(SLUG_PATTERN, message="Short name can only have lower-case letters, numbers and single hyphens"),
        ],
    )
    description = TextAreaField("Description", validators=[
        Length(max=5000, message="Description must be 5,000 characters or fewer")])
