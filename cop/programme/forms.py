"""Forms for planning the year: a new theme for a month; an event's theme."""
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from cop.forms_common import SingleLine


class ThemeForm(FlaskForm):
    name = StringField("Theme", validators=[InputRequired("Enter the theme"), Length(max=120), SingleLine()])
    month = SelectField("Month", choices=[])
    description = TextAreaField("What it is about (optional)", validators=[Length(max=2000)])


class EventThemeForm(FlaskForm):
    event = SelectField("Event", choices=[], validators=[InputRequired("Choose an event")])
    theme = SelectField("Theme", choices=[])
