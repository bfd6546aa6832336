"""Forms for date polls: a new poll, a person's answers, the facilitator's choice of dates."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from cop.events.models import FORMATS
from cop.forms_common import ClockField, DayField, MultiCheckboxField, SingleLine
from cop.polls.models import ANSWERS

DATE_ROWS = 6


class NewPollForm(FlaskForm):
    title = StringField("Title", validators=[InputRequired("Enter a title"), Length(max=200), SingleLine()])
    for_set = SelectField("What the dates are for", choices=[])
    format = SelectField("Format of the new series", choices=list(FORMATS.items()), default="action_learning_set")
    people = TextAreaField("Who to ask (for a new series)", validators=[Length(max=20000)])
    description = TextAreaField("A note for those asked (optional)", validators=[Length(max=2000)])
    anonymous = BooleanField("Anonymous to each other: people see how many can come on each date, not who")


for _n in range(1, DATE_ROWS + 1):
    setattr(NewPollForm, f"day_{_n}", DayField(f"Date {_n}", validators=[Optional()]))
    setattr(NewPollForm, f"starts_{_n}", ClockField(f"Starts (date {_n})", validators=[Optional()]))
    setattr(NewPollForm, f"ends_{_n}", ClockField(f"Ends (date {_n})", validators=[Optional()]))


def date_rows(form: NewPollForm) -> list[tuple]:
    """(day, starts, ends) fields of each row, for the template and the view."""
    return [(form[f"day_{n}"], form[f"starts_{n}"], form[f"ends_{n}"]) for n in range(1, DATE_ROWS + 1)]


def answer_form(options, labels: dict[int, str], answers: dict[int, str] | None = None, formdata=None):
    """A radio group (yes / if need be / no) per proposed date, named option_<id>."""

    class AnswerForm(FlaskForm):
        pass

    for option in options:
        setattr(AnswerForm, f"option_{option.id}", RadioField(
            labels[option.id], choices=list(ANSWERS.items()),
            validators=[InputRequired(f"Say whether you can come on {labels[option.id]}")]))
    data = {f"option_{o}": a for o, a in (answers or {}).items()}
    if formdata is None:
        return AnswerForm(data=data)
    return AnswerForm(formdata=formdata)


class FinaliseForm(FlaskForm):
    options = MultiCheckboxField("The dates to hold", choices=[], coerce=int,
                                 validators=[InputRequired("Choose at least one date")])
