"""Forms for events, series, venues and the door. Times are entered in Europe/London."""
import re
from collections.abc import Sequence
from datetime import date, datetime

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import URL, DataRequired, InputRequired, Length, NumberRange, Optional

from cop.communities import members
from cop.communities.models import Community
from cop.events import venues as venue_book
from cop.events.formats import FORMAT_DEFAULTS, SET_FACILITATORS, SET_MEMBERS
from cop.events.models import ATTENDANCE_MODES, FORMATS, RECURRENCES, WEEKDAYS, WEEKS_OF_MONTH, Venue
from cop.events.scheduling import MAX_OCCURRENCES, EventContent, SeriesRule, occurrence_dates, occurrence_times
from cop.events.times import NonexistentLocalTime, to_utc
from cop.forms_common import (
    DATE_FORMATS,
    DAY_RANGE_MESSAGE,
    ClockField,
    DayField,
    SingleLine,
    WholeNumberField,
    day_in_range,
    refuse,
)
from cop.people.models import Person


def _choices(options: dict) -> list[tuple[str, str]]:
    return [(str(key), label) for key, label in options.items()]


class FormatChoiceForm(FlaskForm):
    """The first step of a new event or series: which format (a GET form)."""

    class Meta:
        csrf = False

    format = RadioField("What kind of event is it?", choices=_choices(FORMATS),
                        validators=[InputRequired("Choose the kind of event")])


class _PlaceAndPeopleFields(FlaskForm):
    """What every event has besides its times: place, capacity and the format's own fields."""

    description = TextAreaField("Description", validators=[
        Length(max=10000, message="Description must be 10,000 characters or fewer")])
    attendance_mode = RadioField("How do people attend?", choices=_choices(ATTENDANCE_MODES),
                                 validators=[InputRequired("Choose how people attend")])
    venue = SelectField("Venue", choices=[], validators=[Optional()])
    online_url = URLField("Online joining link", validators=[
        Optional(), URL(message="Enter the full joining link, starting https://"),
        Length(max=500, message="The link must be 500 characters or fewer")])
    capacity = WholeNumberField("Capacity", validators=[
        Optional(), NumberRange(min=1, max=5000, message="Enter a capacity from 1 to 5,000")])
    speakers = TextAreaField("Speakers", validators=[
        Length(max=2000, message="Speakers must be 2,000 characters or fewer")])
    agenda = TextAreaField("Agenda", validators=[
        Length(max=10000, message="Agenda must be 10,000 characters or fewer")])
    has_meal = BooleanField("A meal is served (people are asked for their dietary needs)")

    def __init__(self, *args, venues: Sequence[Venue] = (), format: str = "big_room", **kwargs):
        super().__init__(*args, **kwargs)
        self.format_code = format
        self.known_venues = {str(v.id): v for v in venues}
        self.venue.choices = [("", "No venue (online only)")] + [(str(v.id), v.name) for v in venues]
        modes = FORMAT_DEFAULTS[format].attendance_modes
        self.attendance_mode.choices = [(m, ATTENDANCE_MODES[m]) for m in modes]

    @property
    def chosen_venue(self) -> Venue | None:
        return self.known_venues.get(self.venue.data or "")

    def content(self) -> EventContent:
        """What was entered besides the title and times, as scheduling takes it."""
        return EventContent(
            description=self.description.data or "", venue=self.chosen_venue, online_url=self.online_url.data or "",
            attendance_mode=self.attendance_mode.data, capacity=self.capacity.data, speakers=self.speakers.data or "",
            agenda=self.agenda.data or "", has_meal=self.has_meal.data)

    def _check_place(self) -> None:
        mode = self.attendance_mode.data
        if mode in ("in_person", "hybrid") and self.chosen_venue is None and not self.venue.errors:
            refuse(self, self.venue, "Choose the venue (add it under Venues first if it is new)")
        if mode in ("online", "hybrid") and not self.online_url.data and not self.online_url.errors:
            refuse(self, self.online_url, "Enter the online joining link")
        venue = self.chosen_venue
        if (venue and venue.capacity and self.capacity.data and not self.capacity.errors
                and mode != "online" and self.capacity.data > venue.capacity):
            refuse(self, self.capacity, f"Capacity cannot be more than the venue holds ({venue.capacity})")


class _OneEventFields(_PlaceAndPeopleFields):
    title = StringField("Title", validators=[
        DataRequired("Enter a title"), SingleLine(), Length(max=200, message="Title must be 200 characters or fewer")])
    day = DayField("Date", validators=[InputRequired("Enter the date")])
    starts = ClockField("Start time", validators=[InputRequired("Enter the start time")])
    ends = ClockField("End time", validators=[InputRequired("Enter the end time")])
    rsvp_day = DayField("Answer by (date)", validators=[Optional()])
    rsvp_time = ClockField("Answer by (time)", validators=[Optional()])

    starts_at: datetime | None = None
    ends_at: datetime | None = None
    rsvp_deadline: datetime | None = None

    def _check_times(self) -> None:
        """Work out the UTC times; refuse a time the clocks skip and an end before the start."""
        if self.day.errors or self.starts.errors or self.ends.errors or not self.day.data:
            return
        try:
            self.starts_at = to_utc(self.day.data, self.starts.data)
        except NonexistentLocalTime as error:
            refuse(self, self.starts, str(error))
        try:
            self.ends_at = to_utc(self.day.data, self.ends.data)
        except NonexistentLocalTime as error:
            refuse(self, self.ends, str(error))
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            refuse(self, self.ends, "The end time must be after the start time")
        if self.rsvp_day.errors or self.rsvp_time.errors:
            return
        if bool(self.rsvp_day.data) != bool(self.rsvp_time.data):
            missing = self.rsvp_time if self.rsvp_day.data else self.rsvp_day
            refuse(self, missing, "Enter both the date and the time people must answer by, or neither")
            return
        if self.rsvp_day.data:
            try:
                self.rsvp_deadline = to_utc(self.rsvp_day.data, self.rsvp_time.data)
            except NonexistentLocalTime as error:
                refuse(self, self.rsvp_time, str(error))
                return
            if self.starts_at and self.rsvp_deadline > self.starts_at:
                refuse(self, self.rsvp_day, "People must answer before the event starts")

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        self._check_times()
        self._check_place()
        return not self.errors


class EventForm(_OneEventFields):
    format = HiddenField(validators=[DataRequired()])
    publish = BooleanField("Publish now, so the community can see it")


class OccurrenceForm(_OneEventFields):
    """An edit of one session of a series, applied to it alone or to it and the later ones."""

    scope = RadioField("Which sessions does this change?", choices=[
        ("this", "This session only"), ("following", "This session and the following ones"),
    ], default="this", validators=[InputRequired("Choose which sessions to change")])


class CancelForm(FlaskForm):
    note = TextAreaField("Message to the people invited (optional)", validators=[
        Length(max=2000, message="The message must be 2,000 characters or fewer")])


def _parse_dates(text: str) -> list[date]:
    dates = []
    for line in (part.strip() for part in re.split(r"[\n;]", text or "")):
        if not line:
            continue
        for fmt in DATE_FORMATS:
            try:
                dates.append(datetime.strptime(line, fmt).date())
                break
            except ValueError:
                continue
        else:
            raise ValueError(f"Cannot read “{line}” as a date: write one date a line, like 8/12/2026")
        if not day_in_range(dates[-1]):
            raise ValueError(f"{DAY_RANGE_MESSAGE} (not “{line}”)")
    return dates


def _split_emails(text: str) -> list[str]:
    return [e.strip().lower() for e in re.split(r"[\s,;]+", text or "") if e.strip()]


class SeriesForm(_PlaceAndPeopleFields):
    format = HiddenField(validators=[DataRequired()])
    title = StringField("Title", validators=[
        DataRequired("Enter a title"), SingleLine(), Length(max=200, message="Title must be 200 characters or fewer")])
    recurrence = RadioField("How often does it meet?", choices=_choices(RECURRENCES), default="monthly",
                            validators=[InputRequired("Choose how often it meets")])
    week_of_month = SelectField("Which week of the month", choices=_choices(WEEKS_OF_MONTH), default="2",
                                validators=[Optional()])
    weekday = SelectField("Day of the week", choices=_choices(WEEKDAYS), default="1", validators=[Optional()])
    starts_on = DayField("First possible date", validators=[Optional()])
    count = WholeNumberField("Number of sessions", validators=[
        Optional(),
        NumberRange(min=1, max=MAX_OCCURRENCES, message=f"Enter a number of sessions from 1 to {MAX_OCCURRENCES}")])
    until = DayField("Or: last possible date", validators=[Optional()])
    dates = TextAreaField("Chosen dates, one a line", validators=[Length(max=5000)])
    starts = ClockField("Start time", validators=[InputRequired("Enter the start time")])
    ends = ClockField("End time", validators=[InputRequired("Enter the end time")])
    rsvp_days_before = WholeNumberField("Answer by: how many days before each session", validators=[
        Optional(), NumberRange(min=0, max=90, message="Enter a number of days from 0 to 90")])
    members = TextAreaField("Members' email addresses", validators=[Length(max=5000)])
    facilitators = TextAreaField("Facilitators' email addresses", validators=[Length(max=1000)])
    publish = BooleanField("Publish the sessions now, so the community can see them")

    rule: SeriesRule | None = None
    chosen_members: list[Person] = []
    chosen_facilitators: list[Person] = []

    def __init__(self, *args, community: Community | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.community = community

    def _check_rule(self) -> None:
        recurrence = self.recurrence.data
        if self.recurrence.errors:
            return
        if recurrence == "dates":
            try:
                chosen = _parse_dates(self.dates.data)
            except ValueError as error:
                refuse(self, self.dates, str(error))
                return
            if not chosen:
                refuse(self, self.dates, "Enter the dates of the sessions, one a line")
                return
            if len(set(chosen)) > MAX_OCCURRENCES:
                refuse(self, self.dates, f"A series can have at most {MAX_OCCURRENCES} sessions")
                return
            self.rule = SeriesRule(recurrence="dates", dates=chosen)
        else:
            if not self.starts_on.data and not self.starts_on.errors:
                refuse(self, self.starts_on, "Enter the first date the series may meet")
            if not self.count.data and not self.until.data and not self.count.errors and not self.until.errors:
                refuse(self, self.count, "Enter the number of sessions, or the last possible date")
            if self.starts_on.data and self.until.data and self.until.data < self.starts_on.data:
                refuse(self, self.until, "The last possible date must be after the first")
            for choice in (self.weekday, self.week_of_month):
                if not choice.data and not choice.errors:
                    refuse(self, choice, f"Choose the {choice.label.text.lower()}")
            if any(f.errors for f in (self.starts_on, self.count, self.until, self.weekday, self.week_of_month)):
                return
            self.rule = SeriesRule(
                recurrence=recurrence, starts_on=self.starts_on.data, weekday=int(self.weekday.data),
                week_of_month=int(self.week_of_month.data), count=self.count.data or None, until=self.until.data,
            )
            if not occurrence_dates(self.rule):
                refuse(self, self.until, "No session falls between those dates")
                self.rule = None

    def _check_times(self) -> None:
        if self.starts.errors or self.ends.errors:
            return
        if self.ends.data <= self.starts.data:
            refuse(self, self.ends, "The end time must be after the start time")
            return
        if self.rule is not None:
            try:
                occurrence_times(occurrence_dates(self.rule), self.starts.data, self.ends.data)
            except NonexistentLocalTime as error:
                refuse(self, self.starts, str(error))

    def _people(self, field, role_name: str, low: int, high: int) -> list[Person]:
        people = []
        for email in _split_emails(field.data):
            person = members.find_person_by_email(email)
            if person is None or self.community is None or members.membership_of(self.community, person.id) is None:
                refuse(self, field, f"{email} is not in this community: add them under People first")
            elif person not in people:
                people.append(person)
        if not field.errors and not low <= len(people) <= high:
            refuse(self, field, f"An action learning set has {low} to {high} {role_name}s (you entered {len(people)})")
        return people

    def _check_membership(self) -> None:
        if self.format.data != "action_learning_set":
            return
        self.chosen_members = self._people(self.members, "member", *SET_MEMBERS)
        self.chosen_facilitators = self._people(self.facilitators, "facilitator", *SET_FACILITATORS)
        both = {p.id for p in self.chosen_members} & {p.id for p in self.chosen_facilitators}
        if both and not self.facilitators.errors:
            refuse(self, self.facilitators, "Someone cannot be both a member and a facilitator of the set")

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        self._check_rule()
        self._check_times()
        self._check_place()
        self._check_membership()
        return not self.errors


class VenueForm(FlaskForm):
    name = StringField("Name", validators=[
        DataRequired("Enter the venue's name"), SingleLine(),
        Length(max=200, message="Name must be 200 characters or fewer")])
    address = TextAreaField("Address", validators=[
        Length(max=1000, message="Address must be 1,000 characters or fewer")])
    capacity = WholeNumberField("How many people it holds", validators=[
        Optional(), NumberRange(min=1, max=5000, message="Enter a number from 1 to 5,000")])
    access_information = TextAreaField("Access information", validators=[Length(max=5000)])
    tables = StringField("Table layout", validators=[Length(max=500)])

    table_layout: list[int] = []

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        try:
            self.table_layout = venue_book.parse_table_layout(self.tables.data)
        except ValueError as error:
            refuse(self, self.tables, str(error))
        if self.capacity.data and not self.capacity.errors and sum(self.table_layout) > self.capacity.data:
            refuse(self, self.tables,
                f"The tables seat {sum(self.table_layout)}, more than the venue holds ({self.capacity.data})")
        return not self.errors
