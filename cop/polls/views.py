"""Date polls: the facilitator's pages (propose, see the grid, choose) and a person's answer page (their link)."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from cop.communities.access import STAFF, community_for
from cop.events.times import NonexistentLocalTime, format_when
from cop.extensions import db, token_guesses
from cop.forms_common import ConfirmForm, refuse
from cop.polls import polling
from cop.polls.forms import FinaliseForm, NewPollForm, answer_form, date_rows
from cop.polls.models import ANSWERS
from cop.seating.sets import cohort_from_csv

bp = Blueprint("polls", __name__)


@bp.route("/communities/<slug>/polls")
@login_required
def index(slug: str):
    community, role = community_for(slug, STAFF)
    return render_template("polls/index.html", community=community, role=role, polls=polling.polls_of(community))


def _new_form(community):
    form = NewPollForm()
    form.for_set.choices = [("", "A new series (name the people to ask)")] + [
        (str(s.id), f"The sessions of {s.title}") for s in polling.sets_of(community)]
    return form


@bp.route("/communities/<slug>/polls/new", methods=["GET", "POST"])
@login_required
def new(slug: str):
    """Propose dates; everyone asked gets a mail with their own link."""
    community, role = community_for(slug, STAFF)
    form = _new_form(community)
    if form.validate_on_submit():
        series = polling.set_in(community, int(form.for_set.data)) if form.for_set.data else None
        people = []
        if series is None:
            members, problems = cohort_from_csv(community, form.people.data or "")
            for problem in problems:
                refuse(form, form.people, problem)
            people = [m.person for m in members]
        dates = [polling.ProposedDate(day.data, starts.data, ends.data) for day, starts, ends in date_rows(form)
                 if day.data and starts.data and ends.data]
        for day, starts, ends in date_rows(form):
            if (day.data or starts.data or ends.data) and not (day.data and starts.data and ends.data):
                refuse(form, day, f"Give {day.label.text.lower()} a day, a start and an end, or leave all three empty")
        if not form.errors:
            try:
                poll = polling.open_poll(community, form.title.data, dates, people, current_user.person, series,
                                         form.description.data or "", form.format.data, form.anonymous.data)
            except (polling.PollRefused, NonexistentLocalTime) as refusal:
                db.session.rollback()
                refuse(form, form.day_1, str(refusal))
            else:
                db.session.commit()
                flash(f"The poll is open: {len(poll.participants)} people have been sent their link.")
                return redirect(url_for("polls.show", slug=community.slug, poll_id=poll.id))
    return render_template("polls/new.html", community=community, role=role, form=form, rows=date_rows(form)), \
        400 if request.method == "POST" else 200


def _poll(community, poll_id):
    return polling.poll_in(community, poll_id) or abort(404)


def _show(community, role, poll, finalise_form=None, status=200):
    tallies = polling.tallies(poll)
    if finalise_form is None:
        finalise_form = FinaliseForm(formdata=None)
    finalise_form.options.choices = [(t.option.id, t.when) for t in tallies]
    return render_template("polls/show.html", community=community, role=role, poll=poll, tallies=tallies,
                           grid=polling.grid(poll), answers=ANSWERS, finalise_form=finalise_form,
                           confirm_form=ConfirmForm(), when=lambda o: format_when(o.starts_at, o.ends_at)), status


@bp.route("/communities/<slug>/polls/<int:poll_id>")
@login_required
def show(slug: str, poll_id: int):
    """The grid: who can come on each date, the best dates first; choose the dates."""
    community, role = community_for(slug, STAFF)
    return _show(community, role, _poll(community, poll_id))


@bp.route("/communities/<slug>/polls/<int:poll_id>/finalise", methods=["POST"])
@login_required
def finalise(slug: str, poll_id: int):
    community, role = community_for(slug, STAFF)
    poll = _poll(community, poll_id)
    form = FinaliseForm()
    form.options.choices = [(o.id, "") for o in poll.options]
    if not form.validate_on_submit():
        return _show(community, role, poll, form, 400)
    try:
        series = polling.finalise(poll, form.options.data, current_user.person)
    except polling.PollRefused as refusal:
        db.session.rollback()
        refuse(form, form.options, str(refusal))
        return _show(community, role, poll, form, 400)
    db.session.commit()
    flash(f"{len(form.options.data)} {'session' if len(form.options.data) == 1 else 'sessions'} added to "
          f"{series.title}; everyone asked has been told, with a calendar file.")
    return redirect(url_for("polls.show", slug=community.slug, poll_id=poll.id))


def _participant(poll, participant_id):
    return polling.participant_in(poll, participant_id) or abort(404)


@bp.route("/communities/<slug>/polls/<int:poll_id>/people/<int:participant_id>/resend", methods=["POST"])
@login_required
def resend(slug: str, poll_id: int, participant_id: int):
    community, _role = community_for(slug, STAFF)
    poll = _poll(community, poll_id)
    participant = _participant(poll, participant_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        polling.resend_link(participant)
    except polling.PollRefused as refusal:
        db.session.rollback()
        flash(str(refusal))
    else:
        db.session.commit()
        flash(f"A new link has been sent to {participant.person.name}; the old one no longer works.")
    return redirect(url_for("polls.show", slug=community.slug, poll_id=poll.id))


@bp.route("/communities/<slug>/polls/<int:poll_id>/people/<int:participant_id>/revoke", methods=["POST"])
@login_required
def revoke(slug: str, poll_id: int, participant_id: int):
    community, _role = community_for(slug, STAFF)
    poll = _poll(community, poll_id)
    participant = _participant(poll, participant_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    polling.revoke_link(participant)
    db.session.commit()
    flash(f"{participant.person.name}'s link no longer works.")
    return redirect(url_for("polls.show", slug=community.slug, poll_id=poll.id))


@bp.route("/polls/<token>", methods=["GET", "POST"])
@token_guesses
def answer(token: str):
    """A person's answers from their own link: yes, if need be or no for each date. No account needed."""
    participant = polling.participant_for_token(token)
    if participant is None:
        abort(404)
    poll = participant.poll
    labels = {o.id: format_when(o.starts_at, o.ends_at) for o in poll.options}
    status = 200
    if request.method == "POST" and poll.state == "open":
        form = answer_form(poll.options, labels, formdata=request.form)
        if form.validate():
            try:
                polling.record_answers(participant, {o.id: form[f"option_{o.id}"].data for o in poll.options})
            except polling.PollRefused as refusal:
                db.session.rollback()
                refuse(form, form[f"option_{poll.options[0].id}"], str(refusal))
                status = 400
            else:
                db.session.commit()
                flash("Thank you: your answers have been saved. You can change them here until the dates are chosen.")
                return redirect(url_for("polls.answer", token=token))
        else:
            status = 400
    else:
        # A POST after the dates were chosen shows the page as it now is: the chosen dates, nothing to answer.
        form = answer_form(poll.options, labels, polling.answers_of(participant))
        status = 400 if request.method == "POST" else 200
    return render_template("polls/answer.html", poll=poll, participant=participant, form=form, token=token,
                           tallies=polling.tallies(poll), answers=ANSWERS, labels=labels,
                           chosen=[o for o in poll.options if o.chosen]), status
