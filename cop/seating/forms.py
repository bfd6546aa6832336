"""Forms for seating plans: generate, move or swap, keep some and re-generate the rest."""
import re
from collections.abc import Sequence

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from cop.communities.member_forms import PeopleFilterFields
from cop.communities.members import Member
from cop.forms_common import ClockField, DayField, MultiCheckboxField, SingleLine, WholeNumberField, refuse
from cop.seating.plans import MAX_ROUNDS, MIX_ATTRIBUTES, SOURCES, SeatingChoices

MAX_TABLES, MAX_TABLE_SIZE = 100, 30


def parse_tables(text: str) -> list[int]:
    """ "10, 10, 8" (each table's seats) or "20 x 10" (a count and a size)."""
    text = (text or "").strip().lower()
    # Counts are checked before anything is built: "1000000000000 x 10" once asked for a list of 10^12.
    if match := re.fullmatch(r"(\d+)\s*(?:x|×|\*|tables? of)\s*(\d+)", text):
        count, size = int(match.group(1)), int(match.group(2))
        if not 1 <= count <= MAX_TABLES:
            raise ValueError(f"Enter from 1 to {MAX_TABLES} tables")
        tables = [size] * count
    elif re.fullmatch(r"\d+(\s*,\s*\d+)*", text):
        if text.count(",") >= MAX_TABLES:
            raise ValueError(f"Enter from 1 to {MAX_TABLES} tables")
        tables = [int(n) for n in re.split(r"\s*,\s*", text)]
    else:
        raise ValueError("Enter the seats at each table, like 10, 10, 8, or a count and size, like 20 x 10")
    if not tables or len(tables) > MAX_TABLES:
        raise ValueError(f"Enter from 1 to {MAX_TABLES} tables")
    if any(not 1 <= size <= MAX_TABLE_SIZE for size in tables):
        raise ValueError(f"Each table seats from 1 to {MAX_TABLE_SIZE} people")
    return tables


def describe_tables(tables: list[int]) -> str:
    return f"{len(tables)} x {tables[0]}" if tables and len(set(tables)) == 1 else ", ".join(map(str, tables))


class GenerateForm(FlaskForm):
    source = RadioField("Who to seat", choices=list(SOURCES.items()), default="confirmed",
                        validators=[InputRequired("Choose who to seat")])
    tables = StringField("Tables", validators=[
        InputRequired("Enter the tables"), Length(max=500, message="Enter the tables in 500 characters or fewer")])
    rounds = WholeNumberField("Rounds", default=1, validators=[
        InputRequired(f"Enter the number of rounds, from 1 to {MAX_ROUNDS}"),
        NumberRange(min=1, max=MAX_ROUNDS, message=f"Enter a number of rounds from 1 to {MAX_ROUNDS}")])
    mix_1 = SelectField("Mix by, first", choices=list(MIX_ATTRIBUTES.items()), default="organisation")
    mix_2 = SelectField("Then by", choices=[("", "Nothing more")] + list(MIX_ATTRIBUTES.items()), default="sector")
    mix_3 = SelectField("Then by", choices=[("", "Nothing more")] + list(MIX_ATTRIBUTES.items()), default="profession")
    mix_4 = SelectField("Then by", choices=[("", "Nothing more")] + list(MIX_ATTRIBUTES.items()), default="place")
    facilitators = MultiCheckboxField("Facilitators and hosts (spread one per table)", choices=[], coerce=int,
                                      validate_choice=False)
    apart = TextAreaField("Keep apart", validators=[Length(max=10000)])
    together = TextAreaField("Keep together", validators=[Length(max=10000)])
    accessible_table = WholeNumberField("Step-free table", validators=[
        Optional(), NumberRange(min=1, max=MAX_TABLES, message="Enter a table number, like 1")])

    def __init__(self, *args, people: Sequence[Member] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.people_by_email = {p.email: p for p in people}
        known = {p.id for p in people}
        self.facilitators.choices = [(p.id, f"{p.name}{', ' + p.organisation.name if p.organisation else ''}")
                                     for p in people]
        self.known_ids = known
        self.table_sizes: list[int] = []
        self.apart_pairs: list[tuple[int, int]] = []
        self.together_groups: list[tuple[int, ...]] = []

    def _people_on_lines(self, field, size: int | None) -> list[tuple[int, ...]]:
        groups = []
        for number, line in enumerate((field.data or "").splitlines(), start=1):
            emails = [e.strip().lower() for e in re.split(r"[,;\s]+", line) if e.strip()]
            if not emails:
                continue
            unknown = [e for e in emails if e not in self.people_by_email]
            if unknown:
                refuse(self, field, f"Line {number}: {', '.join(unknown)} is not among the people who can be seated")
                continue
            if size is not None and len(emails) != size:
                refuse(self, field, f"Line {number}: give exactly two e-mail addresses")
                continue
            if size is None and len(emails) < 2:
                refuse(self, field, f"Line {number}: give two or more e-mail addresses")
                continue
            groups.append(tuple(self.people_by_email[e].id for e in emails))
        return groups

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not self.tables.errors:
            try:
                self.table_sizes = parse_tables(self.tables.data)
            except ValueError as error:
                refuse(self, self.tables, str(error))
        chosen = [m for m in (self.mix_1.data, self.mix_2.data, self.mix_3.data, self.mix_4.data) if m]
        if len(set(chosen)) != len(chosen):
            refuse(self, self.mix_2, "Choose each thing to mix by once")
        self.apart_pairs = [(a, b) for a, b in self._people_on_lines(self.apart, 2)]
        self.together_groups = self._people_on_lines(self.together, None)
        if (self.accessible_table.data and self.table_sizes and not self.accessible_table.errors
                and self.accessible_table.data > len(self.table_sizes)):
            refuse(self, self.accessible_table, f"There are only {len(self.table_sizes)} tables")
        return valid and not self.errors

    def choices(self) -> SeatingChoices:
        mix_by = [m for m in (self.mix_1.data, self.mix_2.data, self.mix_3.data, self.mix_4.data) if m]
        return SeatingChoices(
            source=self.source.data, tables=self.table_sizes, rounds=self.rounds.data, mix_by=mix_by,
            facilitator_ids=[i for i in (self.facilitators.data or []) if i in self.known_ids],
            apart=self.apart_pairs, together=self.together_groups,
            accessible_table=self.accessible_table.data,
        )


def _people_choices(people: Sequence[Member]) -> list[tuple[str, str]]:
    return [("", "Choose a person")] + [
        (str(p.id), f"{p.name}{' (' + p.organisation.name + ')' if p.organisation else ''}") for p in people]


def person_labels(people: Sequence[Member]) -> list[tuple[int, str]]:
    """(id, label) of each seated person, as the plan page's one shared list of names offers them: "name
    (organisation)", with the e-mail address added where two would read the same."""
    plain = [(p, f"{p.name} ({p.organisation.name})" if p.organisation else p.name) for p in people]
    seen: dict[str, int] = {}
    for _, label in plain:
        seen[label.casefold()] = seen.get(label.casefold(), 0) + 1
    return [(p.id, label if seen[label.casefold()] == 1 else
             f"{p.name} ({p.organisation.name + ', ' if p.organisation else ''}{p.email})") for p, label in plain]


class SeatedPeople:
    """Finds a seated person from what a form sent: an id (the drag and drop, and older forms), a label from
    the page's list of names, an e-mail address, or a name that only one seated person has. The plan page
    lists the seated once (a datalist) instead of in a select in every form (issue 19: 740 KB at 600)."""

    def __init__(self, people: Sequence[Member]):
        self.labels = person_labels(people)
        self.by_id = {person_id: label for person_id, label in self.labels}
        self.by_label = {label.casefold(): person_id for person_id, label in self.labels}
        self.by_email = {p.email.casefold(): p.id for p in people}
        self.by_name: dict[str, list[int]] = {}
        for p in people:
            self.by_name.setdefault(" ".join(p.name.casefold().split()), []).append(p.id)

    def find(self, text: str) -> tuple[int | None, str]:
        """(person id, "") or (None, why not)."""
        text = " ".join((text or "").split())
        if text.isdigit() and int(text) in self.by_id:
            return int(text), ""
        key = text.casefold()
        if key in self.by_label:
            return self.by_label[key], ""
        if key in self.by_email:
            return self.by_email[key], ""
        named = self.by_name.get(key, [])
        if len(named) == 1:
            return named[0], ""
        if named:
            return None, f"More than one person seated is called {text}: choose them from the list, which gives " \
                          "their organisation"
        return None, f"{text} is not seated in this plan: choose a name from the list"


class PersonField(StringField):
    """A seated person, typed or chosen from the page's list of names; after validation `data` is their id."""

    data: str | None

    def __init__(self, label, message: str, **kwargs):
        super().__init__(label, validators=[InputRequired(message)], **kwargs)
        self.seated = SeatedPeople(())

    @property
    def person_id(self) -> int | None:
        """The person found (after validation), or None."""
        return int(self.data) if self.data and self.data.isdigit() and int(self.data) in self.seated.by_id else None

    @property
    def chosen_label(self) -> str:
        return self.seated.by_id.get(self.person_id or 0, "")

    def _value(self) -> str:
        return self.chosen_label or super()._value()  # an id is shown again as the name

    def post_validate(self, form, validation_stopped: bool) -> None:
        if validation_stopped or self.errors or not self.data:
            return
        found, why = self.seated.find(self.data)
        if found is None:
            raise ValidationError(why)
        self.data = str(found)


class _PrefixedIds:
    """For forms that share the plan page: each field's id (and its label's `for`) starts with the
    form's `id_prefix`, so "person" in the move, swap and lock forms are three ids. Names stay as
    they are: the views, and seating-drag.js (which fills the forms by name), are unchanged."""

    id_prefix = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self:
            field.id = f"{self.id_prefix}-{field.id}"
            field.label.field_id = field.id


class _PlanChangeForm(FlaskForm):
    version = HiddenField(validators=[InputRequired("Choose the version to change")])
    person = PersonField("Person", "Choose the person")
    round = SelectField("Round", choices=[], validators=[InputRequired("Choose the round")])

    def __init__(self, *args, people: Sequence[Member] = (), rounds: int = 1, **kwargs):
        super().__init__(*args, **kwargs)
        self.person.seated = SeatedPeople(people)
        self.round.choices = [(str(r), f"Round {r}") for r in range(1, rounds + 1)]


class MoveForm(_PrefixedIds, _PlanChangeForm):
    id_prefix = "move"
    table = WholeNumberField("To table", validators=[
        InputRequired("Enter the table number to move them to"),
        NumberRange(min=1, max=MAX_TABLES, message="Enter a table number, like 3")])


class SwapForm(_PrefixedIds, _PlanChangeForm):
    id_prefix = "swap"
    swap_with = PersonField("Swap with", "Choose who to swap them with")

    def __init__(self, *args, people: Sequence[Member] = (), **kwargs):
        super().__init__(*args, people=people, **kwargs)
        self.swap_with.seated = self.person.seated


class RegenerateForm(_PrefixedIds, FlaskForm):
    id_prefix = "regenerate"
    version = HiddenField(validators=[InputRequired("Choose the version to start from")])
    locked_tables = MultiCheckboxField("Keep these tables as they are (every round)", choices=[], coerce=int)
    locked_people = TextAreaField("Keep these people where they sit", validators=[Length(max=20000)])

    def __init__(self, *args, people: Sequence[Member] = (), tables: int = 0, already_locked: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.locked_tables.choices = [(t, f"Table {t}") for t in range(1, tables + 1)]
        self.seated = SeatedPeople(people)
        self.already_locked = already_locked
        self.locked_ids: list[int] = []

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # One person a line: a name as the page's list gives it, or an e-mail address.
        lines = [line for line in (self.locked_people.data or "").splitlines() if line.strip()] if valid else []
        for line in lines:
            found, why = self.seated.find(line)
            if found is None:
                refuse(self, self.locked_people, why)
            elif found not in self.locked_ids:
                self.locked_ids.append(found)
        if self.errors:
            return False
        if valid and not self.already_locked and not self.locked_tables.data and not self.locked_people.data:
            refuse(self, self.locked_tables, "Choose at least one table or person to keep where they are")
            return False
        return valid


class LockForm(_PrefixedIds, FlaskForm):
    id_prefix = "lock"
    """Lock (or unlock) one table or one person on a version; the lock is carried into later versions."""

    version = HiddenField(validators=[InputRequired("Choose the version")])
    action = HiddenField(default="lock")
    table = SelectField("Table", choices=[], validators=[Optional()])
    person = PersonField("Person", "Choose the person")

    def __init__(self, *args, people: Sequence[Member] = (), tables: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.table.choices = [("", "No table")] + [(str(t), f"Table {t}") for t in range(1, tables + 1)]
        self.person.seated = SeatedPeople(people)
        self.person.validators = [Optional()]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.action.data not in ("lock", "unlock"):
            refuse(self, self.action, "Choose to lock or unlock")
            return False
        if valid and bool(self.table.data) == bool(self.person.data):
            refuse(self, self.table, "Choose a table or a person (one of them)")
            return False
        return valid


# --- action learning sets ------------------------------------------------------

COHORT_SOURCES = {"filter": "People in the community who match the filters",
                  "list": "An uploaded list of email addresses"}
SET_RECURRENCES = {"monthly": "Monthly", "bimonthly": "Every two months", "quarterly": "Every three months"}


class CohortForm(PeopleFilterFields, FlaskForm):
    title = StringField("Name of the cohort", validators=[
        InputRequired("Enter a name for the cohort, like Leading across boundaries 2027"), SingleLine("The name"),
        Length(max=150, message="The name must be 150 characters or fewer")])
    source = RadioField("Who is in the cohort", choices=list(COHORT_SOURCES.items()), default="filter",
                        validators=[InputRequired("Choose who is in the cohort")])
    people_list = FileField("List of email addresses (CSV file)")
    facilitators = MultiCheckboxField("Facilitators (spread one per set)", choices=[], coerce=int,
                                      validate_choice=False)
    preferred = WholeNumberField("Members a set, ideally", default=6, validators=[
        InputRequired("Enter how many members a set should have, from 5 to 8"),
        NumberRange(min=5, max=8, message="Enter a number of members from 5 to 8")])

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        upload = self.people_list.data
        if self.source.data == "list" and not (upload and getattr(upload, "filename", "")):
            self.people_list.errors = list(self.people_list.errors) + ["Choose a CSV file of email addresses"]
            return False
        return valid


class SetMoveForm(FlaskForm):
    person = SelectField("Person", choices=[], validators=[InputRequired("Choose the person to move")])
    to_set = SelectField("To set", choices=[], validators=[InputRequired("Choose the set to move them to")])

    def __init__(self, *args, people: Sequence[Member] = (), sets: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.person.choices = _people_choices(people)
        self.to_set.choices = [("", "Choose a set")] + [(str(n), f"Set {n}") for n in range(1, sets + 1)]


class CreateSetsForm(FlaskForm):
    first_date = DayField("Date of the first session",
                          validators=[InputRequired("Enter the date of the first session")])
    sessions = WholeNumberField("Number of sessions", default=4, validators=[
        InputRequired("Enter the number of sessions, from 1 to 12"),
        NumberRange(min=1, max=12, message="Enter a number of sessions from 1 to 12")])
    recurrence = RadioField("How often each set meets", choices=list(SET_RECURRENCES.items()), default="monthly",
                            validators=[InputRequired("Choose how often each set meets")])
    starts = ClockField("Start time", validators=[InputRequired("Enter the start time")])
    ends = ClockField("End time", validators=[InputRequired("Enter the end time")])

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if valid and self.ends.data <= self.starts.data:
            refuse(self, self.ends, "The end time must be after the start time")
            return False
        return valid
