"""Forms: the organiser's form settings and questions, and the attendee's answer form (built per survey)."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from cop.communities.members import Member
from cop.feedback.answering import FollowUpChoices
from cop.feedback.models import ADDABLE_KINDS, QUESTION_KINDS, Question
from cop.feedback.surveys import RATING_LABELS
from cop.forms_common import DayField, MultiCheckboxField, SingleLine, WholeNumberField

MAX_COUNT = 500


class SurveySettingsForm(FlaskForm):
    privacy = RadioField("Who can see which answers are whose?", choices=[
        ("anonymous", "Anonymous: answers are not linked to the people who gave them"),
        ("named", "Named: you see each person's answers and who has not answered"),
    ], validators=[InputRequired("Choose anonymous or named")])
    closes_on = DayField("Answers close at the end of", validators=[InputRequired("Enter the closing date")])
    reminder_days = WholeNumberField("Days before the reminder", validators=[
        InputRequired("Enter a number of days, 0 for no reminder"),
        NumberRange(0, 60, "Enter a number of days from 0 to 60"),
    ])


def _options_field():
    return TextAreaField("Options, one on each line", validators=[Length(max=3000, message="Options must be 3000 "
                                                                                           "characters or fewer")])


class _QuestionFields(FlaskForm):
    text = StringField("Question", validators=[
        DataRequired("Enter the question"), SingleLine("The question"),
        Length(max=300, message="The question must be 300 characters or fewer")])
    hint = StringField("Hint (optional)", validators=[SingleLine("The hint"),
        Length(max=500, message="The hint must be 500 characters or fewer")])
    required = BooleanField("People must answer this question")
    options = _options_field()

    def option_labels(self) -> list[str]:
        return (self.options.data or "").splitlines()


class NewQuestionForm(_QuestionFields):
    kind = RadioField("What kind of question?", choices=[(kind, QUESTION_KINDS[kind]) for kind in ADDABLE_KINDS],
                      validators=[InputRequired("Choose what kind of question it is")])


class EditQuestionForm(_QuestionFields):
    pass


def _one_of_the_choices(form, field):
    """RadioField's own choice check also refuses "no choice", which an optional question allows."""
    if field.data is not None and field.data not in [value for value, _label in field.choices]:
        raise ValidationError(f"Choose one of the answers to: {field.label.text}")


def optional_radios(label, choices, validators, coerce=str) -> RadioField:
    return RadioField(label, choices=choices, coerce=coerce, validate_choice=False,
                      validators=validators + [_one_of_the_choices])


def _person_choices(people: list[Member]) -> list[tuple[int, str]]:
    return [(person.id, f"{person.name}, {person.organisation.name}" if person.organisation else person.name)
            for person in people]


PROMISES = {"anonymous": True, "named": False}


def promise_of(anonymous: bool) -> str:
    return "anonymous" if anonymous else "named"


def answer_form(questions: list[Question], choices: FollowUpChoices, formdata=None) -> FlaskForm:
    """A form with a field "q<id>" per question; the follow-up question has a second field for everyone else.

    `promise` carries the promise the page showed ("anonymous" or "named"): the answer is stored
    under it or not at all (see answering.record_response).
    """

    class AnswerForm(FlaskForm):
        promise = HiddenField()

        def promised_anonymous(self) -> bool | None:
            """True or False as the page said; None if the POST carried no known promise."""
            return PROMISES.get(self.promise.data)

    for question in questions:
        name, label = f"q{question.id}", question.text
        must = [InputRequired(f"Answer the question: {question.text}")] if question.required else [Optional()]
        if question.kind == "rating":
            field = optional_radios(label, list(RATING_LABELS.items()), must, coerce=int)
        elif question.kind == "single":
            field = optional_radios(label, [(o["key"], o["label"]) for o in question.live_options], must)
        elif question.kind == "multiple":
            at_least_one = DataRequired(f"Choose at least one answer to: {question.text}")
            field = MultiCheckboxField(label, choices=[(o["key"], o["label"]) for o in question.live_options],
                                       validators=[at_least_one] if question.required else [Optional()])
        elif question.kind == "count":
            field = WholeNumberField(label, validators=must + [
                NumberRange(0, MAX_COUNT, f"Enter a whole number from 0 to {MAX_COUNT}")])
        elif question.kind == "people":
            at_tables = bool(choices.table_mates)
            # The template heads both with the question; each group of checkboxes has its own legend.
            field = MultiCheckboxField("People at your tables" if at_tables else "People who were there", coerce=int,
                                       choices=_person_choices(choices.table_mates if at_tables else choices.others),
                                       validators=[Optional()])
            if at_tables:
                setattr(AnswerForm, f"{name}_others", MultiCheckboxField(
                    "Anyone else who was there", coerce=int, choices=_person_choices(choices.others),
                    validators=[Optional()]))
        else:
            field = TextAreaField(label, validators=must + [
                Length(max=5000, message="Answers must be 5000 characters or fewer")])
        setattr(AnswerForm, name, field)
    return AnswerForm(formdata=formdata) if formdata is not None else AnswerForm()


def answer_data(form: FlaskForm, questions: list[Question]) -> dict:
    """The form's values by "q<id>", the follow-up question's two fields as one list."""
    data = {}
    for question in questions:
        value = form[f"q{question.id}"].data
        if question.kind == "people" and f"q{question.id}_others" in form:
            value = list(value or []) + list(form[f"q{question.id}_others"].data or [])
        data[f"q{question.id}"] = value
    return data
