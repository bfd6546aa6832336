"""Forms for planning the year: a new theme for a month; an event's theme."""
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from cop.forms_common import SingleLine
from cop.programme.models import SUGGESTION_DESCRIPTION_LENGTH, SUGGESTION_TITLE_LENGTH


class ThemeForm(FlaskForm):
    name = StringField("Theme", validators=[InputRequired("Enter the theme"), Length(max=120), SingleLine()])
    month = SelectField("Month", choices=[])
    description = TextAreaField("What it is about (optional)", validators=[Length(max=2000)])


class PlaceThemeForm(FlaskForm):
    """A theme to a month: the select-based form that dragging a theme onto a month fills in and sends."""

    theme = SelectField("Theme", choices=[], validators=[InputRequired("Choose a theme")])
    month = SelectField("Month", choices=[])


class EventThemeForm(FlaskForm):
    event = SelectField("Event", choices=[], validators=[InputRequired("Choose an event")])
    theme = SelectField("Theme", choices=[])


class SuggestionForm(FlaskForm):
    title = StringField("Theme", validators=[InputRequired("Enter the theme you suggest"),
                                             Length(max=SUGGESTION_TITLE_LENGTH), SingleLine()])
    description = TextAreaField("What it would be about (optional)",
                                validators=[Length(max=SUGGESTION_DESCRIPTION_LENGTH)])


class AdoptForm(FlaskForm):
    month = SelectField("Month", choices=[])
