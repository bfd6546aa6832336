from flask_wtf import FlaskForm
from wtforms import EmailField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from cop.forms_common import SingleLine


class DoorSearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("Find by name or organisation", validators=[Optional(), Length(max=200)])


class WalkInForm(FlaskForm):
    name = StringField("Full name", validators=[
        DataRequired("Enter their full name"), SingleLine("Name"),
        Length(max=200, message="Name must be 200 characters or fewer")])
    email = EmailField("Email address", validators=[
        DataRequired("Enter their email address"),
        Email("Enter an email address in the correct format, like name@example.nhs.uk"), Length(max=254)])
    organisation = StringField("Organisation", validators=[
        SingleLine(), Length(max=200, message="Organisation must be 200 characters or fewer")])
