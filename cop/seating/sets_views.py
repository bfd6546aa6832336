"""Action learning sets: form a cohort into sets, adjust them, create them."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from cop.communities.access import STAFF, community_for
from cop.communities.guest_list import decode_upload
from cop.extensions import db
from cop.forms_common import refuse
from cop.seating import sets
from cop.seating.forms import CohortForm, CreateSetsForm, SetMoveForm
from cop.seating.plans import Budget

bp = Blueprint("sets", __name__, url_prefix="/communities/<slug>")


def _budget() -> Budget:
    return Budget(seconds=current_app.config["SEATING_SECONDS"], iterations=current_app.config["SEATING_ITERATIONS"])


def _cohort_form(community):
    facilitators = sets.community_facilitators(community)
    form = CohortForm(data=None if request.method == "POST" else {"facilitators": [p.id for p in facilitators]})
    form.fill_filter_choices(community)
    form.facilitators.choices = [(p.id, f"{p.name}{', ' + p.organisation.name if p.organisation else ''}")
                                 for p in facilitators]
    return form, facilitators


@bp.route("/learning-sets", methods=["GET", "POST"])
@login_required
def index(slug: str):
    """Choose a cohort and form it into action learning sets (a proposal to adjust before creating)."""
    community, role = community_for(slug, STAFF)
    form, facilitators = _cohort_form(community)
    if form.validate_on_submit():
        chosen = [p for p in facilitators if p.id in set(form.facilitators.data or [])]
        if form.source.data == "list":
            cohort, problems = sets.cohort_from_csv(community, decode_upload(form.people_list.data.read()))
            for problem in problems:
                refuse(form, form.people_list, problem)
        else:
            cohort = sets.cohort_from_filter(community, form.people_filter())
        if not form.people_list.errors:
            try:
                formation = sets.propose_sets(community, form.title.data, cohort, chosen, current_user.person,
                                              _budget(), preferred=form.preferred.data)
            except sets.SetsRefused as refusal:
                db.session.rollback()
                refuse(form, form.title, str(refusal))
            else:
                db.session.commit()
                flash("Here are the proposed sets: move people if you wish, then create them.")
                return redirect(url_for("sets.show", slug=community.slug, formation_id=formation.id))
    status = 400 if request.method == "POST" else 200
    return render_template("seating/sets_index.html", community=community, role=role, form=form,
                           formations=sets.formations_of(community)), status


def _formation(community, formation_id):
    return sets.formation_in(community, formation_id) or abort(404)


def _show(community, role, formation, status=200, **forms):
    views = sets.sets_view(formation)
    people = sorted((p for v in views for p in v.members + v.facilitators), key=lambda p: (p.name.casefold(), p.id))
    forms.setdefault("move_form", SetMoveForm(people=people, sets=len(views), formdata=None))
    forms.setdefault("create_form", CreateSetsForm(formdata=None))
    return render_template(
        "seating/sets_show.html", community=community, role=role, formation=formation, views=views,
        score_lines=sets.score_in_words(formation), problems=sets.problems_of(formation),
        series=sets.series_of(formation),
        managers={staff: manager for manager, staff in formation.settings.get("apart", [])},
        **forms,
    ), status


@bp.route("/learning-sets/<int:formation_id>")
@login_required
def show(slug: str, formation_id: int):
    community, role = community_for(slug, STAFF)
    return _show(community, role, _formation(community, formation_id))


@bp.route("/learning-sets/<int:formation_id>/move", methods=["POST"])
@login_required
def move(slug: str, formation_id: int):
    """Move a person to another set (a form; the score is redone)."""
    community, role = community_for(slug, STAFF)
    formation = _formation(community, formation_id)
    views = sets.sets_view(formation)
    form = SetMoveForm(people=[p for v in views for p in v.members + v.facilitators], sets=len(views))
    if not form.validate_on_submit():
        return _show(community, role, formation, 400, move_form=form)
    try:
        sets.move_to_set(formation, int(form.person.data), int(form.to_set.data))
    except sets.SetsRefused as refusal:
        db.session.rollback()
        refuse(form, form.to_set, str(refusal))
        return _show(community, role, formation, 400, move_form=form)
    db.session.commit()
    flash(f"Moved to set {form.to_set.data}.")
    return redirect(url_for("sets.show", slug=community.slug, formation_id=formation.id))


@bp.route("/learning-sets/<int:formation_id>/create", methods=["POST"])
@login_required
def create(slug: str, formation_id: int):
    """Create each set as a closed series of sessions with its members and facilitators."""
    community, role = community_for(slug, STAFF)
    formation = _formation(community, formation_id)
    form = CreateSetsForm()
    if not form.validate_on_submit():
        return _show(community, role, formation, 400, create_form=form)
    schedule = sets.SetSchedule(form.first_date.data, form.sessions.data, form.recurrence.data, form.starts.data,
                                form.ends.data)
    try:
        made = sets.create_sets(formation, community, schedule)
    except (sets.SetsRefused, ValueError) as refusal:  # ValueError: a time that does not exist in London
        db.session.rollback()
        refuse(form, form.first_date, str(refusal))
        return _show(community, role, formation, 400, create_form=form)
    db.session.commit()
    flash(f"{len(made)} action learning sets created, each with {schedule.sessions} sessions.")
    return redirect(url_for("sets.show", slug=community.slug, formation_id=formation.id))
