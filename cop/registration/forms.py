from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from cop.people.models import PROFESSIONS, SECTORS


class RegistrationForm(FlaskForm):
    """The public registration form. `website` is a honeypot: hidden from people, filled by bots."""

    name = StringField("Full name", validators=[
        DataRequired("Enter your full name"), Length(max=200, message="Name must be 200 characters or fewer")])
    email = EmailField("Email address", validators=[
        DataRequired("Enter your email address"),
        Email("Enter an email address in the correct format, like name@example.nhs.uk"),
        Length(max=254, message="Email address must be 254 characters or fewer")])
    organisation = StringField("Organisation", validators=[
        DataRequired("Enter your organisation"),
        Length(max=200, message="Organisation must be 200 characters or fewer")])
    sector = SelectField("Sector", choices=[("", "Choose a sector")] + list(SECTORS.items()),
                         validators=[Optional()])
    place = StringField("Place (the town or area you work in)",
                        validators=[Length(max=120, message="Place must be 120 characters or fewer")])
    profession = SelectField("Profession", choices=list(PROFESSIONS.items()))
    dietary_needs = TextAreaField("Dietary needs", validators=[
        Length(max=2000, message="Dietary needs must be 2000 characters or fewer")])
    access_needs = TextAreaField("Access needs", validators=[
        Length(max=2000, message="Access needs must be 2000 characters or fewer")])
    whole_series = BooleanField("Register for every session of the series")
    website = StringField("Leave this empty", validators=[Optional()])
    via = HiddenField()


class SharedLinkForm(FlaskForm):
    channel = StringField("Channel name", validators=[
        DataRequired("Enter a channel name, like linkedin"), Length(max=40, message="Use 40 characters or fewer")])


class ApprovalSettingForm(FlaskForm):
    needs_approval = BooleanField("Registrations wait for my approval (“register and we will confirm”)")


class DecisionForm(FlaskForm):
    """Approve or decline the ticked registrations (their ids come as `registration` values)."""


class JoinForm(RegistrationForm):
    """"Join this network": the registration's fields without an event's needs or channel."""

    dietary_needs = None
    access_needs = None
    whole_series = None
    via = None
