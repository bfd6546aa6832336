from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from cop.communities.member_forms import PeopleFilterFields
from cop.events.models import ATTENDANCE_MODES

ANSWER_CHOICES = [("yes", "Yes, I will come"), ("maybe", "Maybe"), ("no", "No, I cannot come")]
MODE_CHOICES = [(key, ATTENDANCE_MODES[key]) for key in ("in_person", "online")]
WHO_CHOICES = [
    ("everyone", "Everyone in the community"),
    ("matching", "People matching the filters below"),
    ("nobody", "Only the addresses I paste below"),
]


def _choices(options: dict[str, str], blank: str) -> list[tuple[str, str]]:
    return [("", blank)] + list(options.items())


class RsvpForm(FlaskForm):
    answer = RadioField("Will you come?", choices=ANSWER_CHOICES,
                        validators=[InputRequired("Choose yes, maybe or no")])
    attendance_mode = RadioField("How will you join?", choices=MODE_CHOICES, default="in_person",
                                 validators=[Optional()])
    dietary_needs = TextAreaField("Dietary needs", validators=[
        Length(max=2000, message="Dietary needs must be 2000 characters or fewer")])
    access_needs = TextAreaField("Access needs", validators=[
        Length(max=2000, message="Access needs must be 2000 characters or fewer")])


class InviteForm(PeopleFilterFields, FlaskForm):
    who = RadioField("Who do you want to invite?", choices=WHO_CHOICES, default="matching",
                     validators=[InputRequired("Choose who to invite")])
    addresses = TextAreaField("Email addresses to invite as well", validators=[
        Length(max=200_000, message="Paste at most 200,000 characters at a time")])


class NetworkInviteForm(FlaskForm):
    addresses = TextAreaField("Who do you want to invite?", validators=[
        DataRequired("Enter at least one email address"),
        Length(max=50_000, message="Paste at most 50,000 characters at a time")])


class GuestSearchForm(FlaskForm):
    """The guests page's search (a GET form: no CSRF token), kept across its pages."""

    class Meta:
        csrf = False

    q = StringField("Find a guest by name", validators=[Optional(), Length(max=200)])
