"""The challenge, idea, comment and pipeline forms (NHS.UK conventions, CSRF on every POST)."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from cop.challenges.ideas import SORTS
from cop.challenges.models import AUDIENCES, STAGES
from cop.forms_common import ClockField, DayField, SingleLine, WholeNumberField


def _title(label: str, what: str):
    return StringField(label, validators=[DataRequired(f"Enter {what}"), SingleLine(),
                                          Length(max=200, message=f"{label} must be 200 characters or fewer")])


def _text(label: str, what: str | None, most: int):
    required = [DataRequired(f"Enter {what}")] if what else []
    too_long = Length(max=most, message=f"{label} must be {most:,} characters or fewer")
    return TextAreaField(label, validators=[*required, too_long])


class ChallengeForm(FlaskForm):
    title = _title("Title", "a title")
    question = _text("The question", "the question you are asking", 2000)
    background = _text("Background", None, 10000)
    audience = RadioField("Who may take part", choices=list(AUDIENCES.items()), default="members",
                          validators=[InputRequired("Choose who may take part")])
    allow_anonymous = BooleanField("People may give an idea without their name shown to other participants")
    opens_on = DayField("Opens on", validators=[InputRequired("Enter the day it opens")])
    opens_at = ClockField("Opens at", default=None, validators=[InputRequired("Enter the time it opens, like 09:00")])
    closes_on = DayField("Closes on", validators=[InputRequired("Enter the day it closes")])
    closes_at = ClockField("Closes at", validators=[InputRequired("Enter the time it closes, like 17:00")])
    event_id = SelectField("The event that will discuss it", choices=[], coerce=str, validate_choice=False)

    def __init__(self, *args, events=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.event_id.choices = [("", "No event")] + [(str(e.id), e.title) for e in events]
        self.known_events = {str(e.id) for e in events}

    def chosen_event_id(self) -> int | None:
        value = self.event_id.data or ""
        return int(value) if value in self.known_events else None


class IdeaForm(FlaskForm):
    title = _title("Your idea in a line", "your idea in a line")
    description = _text("Describe your idea", "your idea", 5000)
    anonymous = BooleanField("Do not show my name to other participants (the organisers still see it)")


class CommentForm(FlaskForm):
    body = _text("Comment", "your comment", 3000)
    parent_id = HiddenField()


class ReplyForm(CommentForm):
    body = _text("Reply", "your reply", 3000)


class MoveForm(FlaskForm):
    stage = SelectField("Move to", choices=list(STAGES.items()))
    move_reason = _text("Reason (everyone following the idea reads it)", "the reason for the move", 2000)

    def __init__(self, *args, labels=None, **kwargs):
        super().__init__(*args, **kwargs)
        if labels:
            self.stage.choices = list(labels.items())


class MergeForm(FlaskForm):
    into = SelectField("Merge into", choices=[], coerce=str, validate_choice=False,
                       validators=[DataRequired("Choose the idea to merge into")])
    merge_reason = _text("Reason for merging", "the reason for merging", 2000)

    def __init__(self, *args, ideas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.into.choices = [("", "Choose an idea")] + [(str(i.id), f"{i.title} (#{i.id})") for i in ideas]


class HideForm(FlaskForm):
    hide_reason = _text("Reason for hiding (the author sees it)", "the reason", 2000)


class ShowForm(FlaskForm):
    show_reason = _text("Reason for showing it again", None, 2000)


class IdeaSearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("Search ideas", validators=[Optional(), Length(max=200)])
    stage = SelectField("Stage", choices=[("", "Any stage")] + list(STAGES.items()), validate_choice=False)
    sort = SelectField("Sort by", choices=list(SORTS.items()), default="newest", validate_choice=False)

    def __init__(self, *args, labels=None, **kwargs):
        super().__init__(*args, **kwargs)
        if labels:
            self.stage.choices = [("", "Any stage")] + list(labels.items())


class SeatingSizeForm(FlaskForm):
    class Meta:
        csrf = False

    size = WholeNumberField("People per table", default=10, validators=[
        Optional(), NumberRange(min=2, max=50, message="Enter a number of people per table from 2 to 50")])


def stage_names_form(labels: dict[str, str], formdata=None):
    """A form with one field per stage, named after it."""

    class StageNamesForm(FlaskForm):
        pass

    for stage, default in STAGES.items():
        validators = [DataRequired(f"Enter a name for “{default}”"), SingleLine(),
                      Length(max=60, message="Use 60 characters or fewer")]
        setattr(StageNamesForm, stage, StringField(f"“{default}” is called", default=labels.get(stage, default),
                                                   validators=validators))
    return StageNamesForm(formdata=formdata) if formdata is not None else StageNamesForm()
