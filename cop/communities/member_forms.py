from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import EmailField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from cop.communities import members
from cop.communities.models import ROLES
from cop.forms_common import SingleLine
from cop.people.models import PROFESSIONS, SECTORS


def _choices(options: dict[str, str], blank: str | None = None) -> list[tuple[str, str]]:
    return ([("", blank)] if blank is not None else []) + list(options.items())


class MemberForm(FlaskForm):
    """This community's record of a member: never the person's name or address (those are theirs)."""

    organisation_name = StringField("Organisation", validators=[
        SingleLine(), Length(max=200, message="Organisation must be 200 characters or fewer")])
    sector = SelectField("Sector of a new organisation", choices=_choices(SECTORS, "Choose a sector"),
                         validators=[Optional()])
    place = StringField("Place (locality) of a new organisation", validators=[SingleLine("Place"), Length(max=120)])
    profession = SelectField("Profession", choices=_choices(PROFESSIONS))
    role_title = StringField("Job title", validators=[
        SingleLine(), Length(max=200, message="Job title must be 200 characters or fewer")])
    interests = TextAreaField("Interests", validators=[Length(max=2000)])
    dietary_needs = TextAreaField("Dietary needs", validators=[Length(max=2000)])
    access_needs = TextAreaField("Access needs", validators=[Length(max=2000)])
    line_manager_email = EmailField("Line manager's email address", validators=[
        Optional(), Email("Enter the line manager's email address in the correct format, like name@example.nhs.uk"),
        Length(max=254)])
    notes = TextAreaField("Notes", validators=[Length(max=2000)])
    role = SelectField("Role in this community", choices=_choices(ROLES))
    invite_quota = IntegerField(
        "How many people they may invite from their own network",
        default=0,
        validators=[NumberRange(min=0, max=500, message="Enter a number from 0 to 500")],
    )


class PersonForm(MemberForm):
    """Adding someone: their name and address, then the community's record of them."""

    name = StringField("Full name", validators=[
        DataRequired("Enter the person's full name"), SingleLine("Name"),
        Length(max=200, message="Name must be 200 characters or fewer")])
    email = EmailField("Email address", validators=[
        DataRequired("Enter an email address"),
        Email("Enter an email address in the correct format, like name@example.nhs.uk"), Length(max=254)])


class PeopleFilterFields:
    """The filters that choose people from a community, mixed into every form that has them (the people
    page, inviting, exchange pairs, learning sets' cohorts): one set of fields (templates/people/_filters.html),
    one way to fill their choices and to read them."""

    role = SelectField("Role", choices=_choices(ROLES, "Any role"), validators=[Optional()])
    organisation = SelectField("Organisation", choices=[], validators=[Optional()])
    sector = SelectField("Sector", choices=_choices(SECTORS, "Any sector"), validators=[Optional()])
    profession = SelectField("Profession", choices=_choices(PROFESSIONS, "Any profession"), validators=[Optional()])
    place = SelectField("Place", choices=[], validators=[Optional()])

    def fill_filter_choices(self, community) -> None:
        """The organisations and places of this community's members (never those of other communities)."""
        self.organisation.choices = [("", "Any organisation")] + [
            (str(o.id), o.name) for o in members.organisations_in(community)]
        self.place.choices = [("", "Any place")] + [(p, p) for p in members.places_in(community)]

    def people_filter(self, search: str = "") -> members.PeopleFilter:
        """What the filters ask for, once the form is validated: a value not among the choices is ignored."""
        def chosen(field) -> str:
            return field.data if field.data and not field.errors else ""
        organisation = chosen(self.organisation)
        return members.PeopleFilter(
            search=search, organisation_id=int(organisation) if organisation else None, sector=chosen(self.sector),
            profession=chosen(self.profession), place=chosen(self.place), role=chosen(self.role))


class FilterForm(PeopleFilterFields, FlaskForm):
    """The people page's search and filters (a GET form: no CSRF needed)."""

    class Meta:
        csrf = False

    q = StringField("Search by name, email, job title or organisation", validators=[Optional(), Length(max=200)])


class ImportUploadForm(FlaskForm):
    guest_list = FileField("Guest list (Excel .xlsx or CSV file)",
                           validators=[FileRequired("Choose a spreadsheet to import")])


class ImportConfirmForm(FlaskForm):
    # The checked file is kept on the server (cop/jobs JobUpload) and named by its id; it is checked again
    # on confirming. A form may still carry the text itself (csv_text), as before issue 19.
    upload_id = HiddenField()
    csv_text = HiddenField()
