"""Feedback pages: the attendee's form (a personal link, no account), the organiser's form editor, results."""
from datetime import time, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required
from wtforms.validators import Optional

from cop.communities.access import MANAGERS, STAFF
from cop.csv_safety import csv_download
from cop.events.access import event_for
from cop.events.times import to_london, to_utc
from cop.extensions import db, token_guesses
from cop.feedback import answering, surveys
from cop.feedback import results as survey_results
from cop.feedback.charts import bar_chart
from cop.feedback.forms import (
    EditQuestionForm,
    NewQuestionForm,
    SurveySettingsForm,
    answer_data,
    answer_form,
    promise_of,
)
from cop.feedback.models import Question
from cop.forms_common import ConfirmForm, refuse

bp = Blueprint("feedback", __name__)


@bp.app_template_filter("bar_chart")
def _bar_chart_filter(bars):
    return bar_chart(bars)


def closing_day(survey):
    """The last day answers are taken, in UK time (closes_at is the midnight that ends it)."""
    return to_london(survey.closes_at - timedelta(seconds=1)).date()


@bp.route("/feedback/<token>", methods=["GET", "POST"])
@token_guesses
def answer(token: str):
    feedback_request = answering.request_for_token(token) or abort(404)
    survey = feedback_request.survey
    event = survey.event
    if answering.has_answered(feedback_request):
        # Straight after sending, thanks; on a later visit (a reminder's link, a second tab), "already answered".
        return render_template("feedback/answered.html", event=event, survey=survey,
                               just_sent=request.args.get("sent") == "1")
    if surveys.is_closed(survey):
        return render_template("feedback/closed.html", event=event, survey=survey, closed_on=closing_day(survey))
    questions = survey.live_questions
    choices = answering.follow_up_choices(event, feedback_request.person_id)
    form = answer_form(questions, choices)
    promise_changed = None  # "changed" or "unknown" when the answer was refused for its promise
    if form.validate_on_submit():
        try:
            promised = form.promised_anonymous()
            if promised is None:  # a page from before promises were carried, or a crafted POST
                promise_changed = "unknown"
                raise surveys.PromiseChanged()
            answering.submit_feedback(token, answering.answers_from_form(questions, answer_data(form, questions)),
                                    promised_anonymous=promised)
        except surveys.FeedbackClosed:
            return render_template("feedback/closed.html", event=event, survey=survey,
                                   closed_on=closing_day(survey)), 400
        except surveys.PromiseChanged:
            promise_changed = promise_changed or "changed"  # nothing stored: shown again under the promise now
        except surveys.AlreadyAnswered:
            pass  # a second tab or a double click: the first answer stands
        if not promise_changed:
            return redirect(url_for("feedback.answer", token=token, sent=1))
    form.promise.data = promise_of(survey.anonymous)
    return render_template(
        "feedback/answer.html", event=event, survey=survey, form=form, questions=questions, choices=choices,
        person=feedback_request.person, closes_on=closing_day(survey), promise_changed=promise_changed,
    ), 409 if promise_changed else 400 if form.errors else 200


def _survey_of(event_id: int, roles):
    event, role = event_for(event_id, roles)
    if request.method == "GET":
        # A GET changes nothing: before the form is stored, the editor shows the format's default, unsaved.
        return event, surveys.survey_of(event) or surveys.default_survey(event)
    survey = surveys.ensure_survey(event)
    db.session.commit()
    return event, survey


@bp.route("/events/<int:event_id>/feedback/form", methods=["GET", "POST"])
@login_required
def edit_form(event_id: int):
    event, survey = _survey_of(event_id, MANAGERS)
    if request.method == "POST":
        form = SurveySettingsForm()
    else:
        form = SurveySettingsForm(privacy="anonymous" if survey.anonymous else "named",
                                  closes_on=closing_day(survey), reminder_days=survey.reminder_days)
    if survey.anonymity_locked:
        form.privacy.validators = [Optional()]  # shown fixed (disabled); a crafted change is refused below
    if form.validate_on_submit():
        try:
            surveys.update_settings(survey, None if form.privacy.data is None else form.privacy.data == "anonymous",
                                    to_utc(form.closes_on.data + timedelta(days=1), time(0, 0)),
                                    form.reminder_days.data)
        except surveys.EditRefused as refusal:
            db.session.rollback()
            refuse(form, form.closes_on if "closing" in str(refusal) else form.privacy, str(refusal))
        else:
            db.session.commit()
            flash("The feedback form's settings have been saved.")
            return redirect(url_for("feedback.edit_form", event_id=event.id))
    return render_template(
        "feedback/form.html", event=event, survey=survey, form=form, answered=surveys.has_responses(survey),
        confirm_form=ConfirmForm(),
    ), 400 if form.errors else 200


@bp.route("/events/<int:event_id>/feedback/questions/new", methods=["GET", "POST"])
@login_required
def new_question(event_id: int):
    event, survey = _survey_of(event_id, MANAGERS)
    form = NewQuestionForm()
    if form.validate_on_submit():
        try:
            surveys.add_question(survey, form.kind.data, form.text.data, form.hint.data or "", form.required.data,
                                 form.option_labels())
        except surveys.EditRefused as refusal:
            refuse(form, form.options, str(refusal))
        else:
            db.session.commit()
            flash("The question has been added.")
            return redirect(url_for("feedback.edit_form", event_id=event.id))
    return render_template("feedback/question.html", event=event, survey=survey, form=form, question=None), \
        400 if form.errors else 200


def _question_of(survey, question_id: int) -> Question:
    question = db.get_or_404(Question, question_id)
    if question.survey_id != survey.id or question.removed:
        abort(404)
    return question


@bp.route("/events/<int:event_id>/feedback/questions/<int:question_id>", methods=["GET", "POST"])
@login_required
def edit_question(event_id: int, question_id: int):
    event, survey = _survey_of(event_id, MANAGERS)
    question = _question_of(survey, question_id)
    if request.method == "POST":
        form = EditQuestionForm()
    else:
        form = EditQuestionForm(text=question.text, hint=question.hint, required=question.required,
                                options="\n".join(option["label"] for option in question.live_options))
    if form.validate_on_submit():
        try:
            surveys.update_question(question, form.text.data, form.hint.data or "", form.required.data,
                                    form.option_labels())
        except surveys.EditRefused as refusal:
            db.session.rollback()
            refuse(form, form.options, str(refusal))
        else:
            db.session.commit()
            flash("The question has been saved.")
            return redirect(url_for("feedback.edit_form", event_id=event.id))
    return render_template("feedback/question.html", event=event, survey=survey, form=form, question=question,
                           answered=surveys.has_responses(survey)), 400 if form.errors else 200


@bp.route("/events/<int:event_id>/feedback/questions/<int:question_id>/move", methods=["POST"])
@login_required
def move_question(event_id: int, question_id: int):
    event, survey = _survey_of(event_id, MANAGERS)
    question = _question_of(survey, question_id)
    if ConfirmForm().validate_on_submit() and request.form.get("direction") in ("up", "down"):
        surveys.move_question(question, request.form["direction"])
        db.session.commit()
    return redirect(url_for("feedback.edit_form", event_id=event.id, _anchor=f"question-{question.id}"))


@bp.route("/events/<int:event_id>/feedback/questions/<int:question_id>/remove", methods=["POST"])
@login_required
def remove_question(event_id: int, question_id: int):
    event, survey = _survey_of(event_id, MANAGERS)
    question = _question_of(survey, question_id)
    if ConfirmForm().validate_on_submit():
        try:
            surveys.remove_question(question)
        except surveys.EditRefused as refusal:
            flash(str(refusal))
        else:
            db.session.commit()
            flash(f"“{question.text}” has been removed from the form.")
    return redirect(url_for("feedback.edit_form", event_id=event.id))


@bp.route("/events/<int:event_id>/feedback/results")
@login_required
def results(event_id: int):
    event, _role = event_for(event_id, STAFF)
    survey = surveys.survey_of(event)
    return render_template(
        "feedback/results.html", event=event, survey=survey,
        results=survey_results.results(survey) if survey else None,
        non_responders=survey_results.non_responders(survey) if survey else [],
        closed=survey is not None and surveys.is_closed(survey), closes_on=closing_day(survey) if survey else None,
    )


@bp.route("/events/<int:event_id>/feedback/results.csv")
@login_required
def results_csv(event_id: int):
    event, _role = event_for(event_id, STAFF)
    survey = surveys.survey_of(event) or abort(404)
    return csv_download(survey_results.results_csv(survey), f"event-{event.id}-feedback.csv")
