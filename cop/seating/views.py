"""Seating plans for facilitators: generate, adjust, re-seat on the night, versions, print."""
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from cop.communities.access import STAFF
from cop.communities.jobs_views import follow_job
from cop.events.access import event_for
from cop.extensions import db
from cop.forms_common import ConfirmForm, int_arg, refuse
from cop.seating import plan_jobs, plans, print_jobs, printing
from cop.seating.forms import GenerateForm, LockForm, MoveForm, RegenerateForm, SwapForm, describe_tables, person_labels

bp = Blueprint("seating", __name__)


def _budget() -> plans.Budget:
    return plans.Budget.from_config(current_app.config)


def _generate_form(event, shown):
    """The generate form, filled from the plan shown (or the venue's layout) on first view."""
    candidates = {p.id: p for source in plans.SOURCES for p in plans.people_to_seat(event, source)}
    people = sorted(candidates.values(), key=lambda p: (p.name.casefold(), p.id))
    data = None
    if request.method != "POST":
        if shown is not None:
            choices = plans.SeatingChoices.from_settings(shown.settings)
        else:
            choices = plans.form_choices(event, set(candidates))
        by_id = {p.id: p.email for p in people}
        mix = choices.mix_by + [""] * (4 - len(choices.mix_by))
        data = {
            "source": choices.source, "tables": describe_tables(choices.tables), "rounds": choices.rounds,
            "mix_1": mix[0], "mix_2": mix[1], "mix_3": mix[2], "mix_4": mix[3],
            "facilitators": choices.facilitator_ids or [],
            "apart": "\n".join(", ".join(by_id[i] for i in pair if i in by_id) for pair in choices.apart),
            "together": "\n".join(", ".join(by_id[i] for i in group if i in by_id) for group in choices.together),
            "accessible_table": choices.accessible_table,
        }
    return GenerateForm(people=people, data=data)


def _shown_plan(event):
    if request.args.get("version", type=int) is not None:
        version = int_arg("version", 1)
        return plans.plan_version(event, version) or abort(404)
    return plans.plan_in_use(event)


def _page(event, role, shown, status=200, refusal=None, **forms):
    view = plans.plan_view(shown) if shown is not None else None
    seated = [p for p, _ in view.find_your_table] if view else []
    rounds = shown.rounds if shown else 1
    forms.setdefault("generate_form", _generate_form(event, shown))
    forms.setdefault("move_form", MoveForm(people=seated, rounds=rounds, formdata=None))
    forms.setdefault("swap_form", SwapForm(people=seated, rounds=rounds, formdata=None))
    forms.setdefault("regenerate_form", RegenerateForm(people=seated, tables=len(shown.tables) if shown else 0,
                                                       formdata=None))
    forms.setdefault("lock_form", LockForm(people=seated, tables=len(shown.tables) if shown else 0, formdata=None))
    return render_template(
        "seating/plan.html", event=event, role=role, view=view, shown=shown, versions=plans.plans_of(event),
        seated_labels=person_labels(seated),
        in_use=plans.plan_in_use(event), refusal=refusal, confirm_form=ConfirmForm(), parts=printing.PARTS,
        plan_job=plan_jobs.running(event),
        score_lines=plans.score_in_words(shown.score, shown.settings.get("mix_by", [])) if shown else [],
        **forms,
    ), status


@bp.route("/events/<int:event_id>/seating", methods=["GET", "POST"])
@login_required
def plan(event_id: int):
    event, role = event_for(event_id, STAFF)
    shown = _shown_plan(event)
    form = _generate_form(event, shown)
    if request.method == "POST":
        if form.validate_on_submit():
            if plan_jobs.in_background(event, form.choices()):
                # A big room: a job seats it (issue 19), and its page shows how far it has got.
                return follow_job(
                    lambda: plan_jobs.start_generating(event, form.choices(), current_user.person),
                    "A seating plan for this event is being made already: here is how far it has got.")
            try:
                made = plans.generate(event, form.choices(), current_user.person, _budget())
            except plans.SeatingRefused as refusal:
                db.session.rollback()
                return _page(event, role, shown, 400, refusal=str(refusal), generate_form=form)
            db.session.commit()
            if made.in_use:
                flash(f"Version {made.version} is the plan in use.")
            else:
                flash(f"Version {made.version} is saved as a draft: the plan in use is unchanged until you make "
                      "this version current.")
            return redirect(url_for("seating.plan", event_id=event.id, version=made.version))
        return _page(event, role, shown, 400, generate_form=form)
    return _page(event, role, shown, generate_form=form)


def _version_from_form(event):
    version = request.form.get("version", type=int)
    found = plans.plan_version(event, version) if version else None
    if found is None:
        abort(400)
    return found


@bp.route("/events/<int:event_id>/seating/move", methods=["POST"])
@login_required
def move(event_id: int):
    """Move one person to another table, or swap two people, in one round (a form: no JavaScript needed)."""
    event, role = event_for(event_id, STAFF)
    swapping = "swap_with" in request.form
    shown = plans.plan_version(event, request.form.get("version", type=int) or 0) or plans.plan_in_use(event)
    seated = plans.seated_people(shown) if shown else []
    rounds = shown.rounds if shown else 1
    form = (SwapForm if swapping else MoveForm)(people=seated, rounds=rounds)
    name = "swap_form" if swapping else "move_form"
    if not form.validate_on_submit() or shown is None:
        return _page(event, role, shown, 400, **{name: form})
    changed_version = _version_from_form(event)
    try:
        if swapping:
            changed = plans.swap_people(changed_version, form.person.person_id or 0, form.swap_with.person_id or 0,
                                        int(form.round.data), current_user.person)
        else:
            changed = plans.move_person(changed_version, form.person.person_id or 0, int(form.round.data),
                                        form.table.data, current_user.person)
    except plans.SeatingRefused as refusal:
        db.session.rollback()
        refuse(form, form.swap_with if swapping else form.table, str(refusal))
        return _page(event, role, shown, 400, **{name: form})
    db.session.commit()
    if changed.version != changed_version.version:
        flash(f"Version {changed_version.version} has been printed, so it is kept as it is: the change is saved as "
              f"version {changed.version}{', now the plan in use' if changed.in_use else ''}.")
    else:
        flash("Swapped." if swapping else "Moved.")
    # Back to the round that changed, open (the page folds the others).
    return redirect(url_for("seating.plan", event_id=event.id, version=changed.version,
                            _anchor=f"round-{int(form.round.data)}"))


@bp.route("/events/<int:event_id>/seating/regenerate", methods=["POST"])
@login_required
def regenerate(event_id: int):
    """Keep the chosen tables and people where they are; seat everyone else afresh (a new version)."""
    event, role = event_for(event_id, STAFF)
    shown = plans.plan_version(event, request.form.get("version", type=int) or 0)
    seated = plans.seated_people(shown) if shown else []
    form = RegenerateForm(people=seated, tables=len(shown.tables) if shown else 0,
                          already_locked=bool(shown and plans.locks_of(shown)))
    if shown is None or not form.validate_on_submit():
        return _page(event, role, shown, 400, regenerate_form=form)
    try:
        made = plans.regenerate_around(shown, form.locked_tables.data, form.locked_ids,
                                       current_user.person, _budget())
    except plans.SeatingRefused as refusal:
        db.session.rollback()
        refuse(form, form.locked_tables, str(refusal))
        return _page(event, role, shown, 400, regenerate_form=form)
    db.session.commit()
    flash(f"Version {made.version} keeps what you chose and re-seats the rest"
          f"{'' if made.in_use else '; make it current to use it'}.")
    return redirect(url_for("seating.plan", event_id=event.id, version=made.version))


@bp.route("/events/<int:event_id>/seating/locks", methods=["POST"])
@login_required
def lock(event_id: int):
    """Lock or unlock a table or a person on a version: kept where they are when the rest is re-seated."""
    event, role = event_for(event_id, STAFF)
    shown = plans.plan_version(event, request.form.get("version", type=int) or 0)
    seated = plans.seated_people(shown) if shown else []
    form = LockForm(people=seated, tables=len(shown.tables) if shown else 0)
    if shown is None or not form.validate_on_submit():
        return _page(event, role, shown, 400, lock_form=form)
    locking = form.action.data == "lock"
    try:
        plans.set_lock(shown, locking, table=int(form.table.data) if form.table.data else None,
                       person_id=form.person.person_id)
    except plans.SeatingRefused as refusal:
        db.session.rollback()
        refuse(form, form.table, str(refusal))
        return _page(event, role, shown, 400, lock_form=form)
    db.session.commit()
    what = f"Table {form.table.data}" if form.table.data else form.person.chosen_label
    flash(f"{what} {'locked: kept where they are' if locking else 'unlocked'} "
          "when the rest is re-generated or re-seated.")
    return redirect(url_for("seating.plan", event_id=event.id, version=shown.version))


@bp.route("/events/<int:event_id>/seating/reseat", methods=["POST"])
@login_required
def reseat(event_id: int):
    """On the night: seat late arrivals and drop no-shows from check-in, moving as few people as possible."""
    event, _role = event_for(event_id, STAFF)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        report = plans.reseat_from_check_in(event, current_user.person, _budget())
    except plans.SeatingRefused as refusal:
        db.session.rollback()
        flash(str(refusal))
        return redirect(url_for("seating.plan", event_id=event.id))
    db.session.commit()
    flash(f"Version {report.plan.version} is now in use: {len(report.arrived)} seated on arrival, "
          f"{len(report.absent)} not here taken off, {report.moves} "
          f"{'seat' if report.moves == 1 else 'seats'} changed for people already seated.")
    return redirect(url_for("seating.plan", event_id=event.id))


@bp.route("/events/<int:event_id>/seating/versions/<int:version>/current", methods=["POST"])
@login_required
def make_current(event_id: int, version: int):
    event, _role = event_for(event_id, STAFF)
    chosen = plans.plan_version(event, version) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    plans.make_current(chosen)
    db.session.commit()
    flash(f"Version {chosen.version} is now the plan in use.")
    return redirect(url_for("seating.plan", event_id=event.id))


def _print_html(event, shown, parts: list[str], for_pdf: bool) -> str:
    return render_template("seating/print.html", event=event, shown=shown, view=plans.plan_view(shown),
                           parts=parts, part_titles=printing.PARTS, for_pdf=for_pdf)


@bp.route("/events/<int:event_id>/seating/print")
@login_required
def print_view(event_id: int):
    """The pack as a web page with a print stylesheet (any version, ?version=; the plan in use by default)."""
    event, _role = event_for(event_id, STAFF)
    shown = _shown_plan(event) or abort(404)
    part = request.args.get("part")
    if part is not None and part not in printing.PARTS:
        abort(404)
    return _print_html(event, shown, [part] if part else list(printing.PARTS), for_pdf=False)


def _pdf(event, parts: list[str], part: str | None) -> Response:
    shown = plans.plan_in_use(event) or abort(404)
    pdf = print_jobs.pdf(event, shown, parts)  # drawn once per plan content, then kept
    plans.mark_printed(shown)
    db.session.commit()
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{printing.pdf_filename(event.title, shown.version, part)}"',
        "Cache-Control": "no-store",
    })


# The PDFs are POSTs: a download marks the plan printed (then it is never changed in place), and a GET
# must change nothing (a link prefetcher or a crawler would otherwise mark plans printed).
@bp.route("/events/<int:event_id>/seating.pdf", methods=["POST"])
@login_required
def pack_pdf(event_id: int):
    """The whole pack of the plan in use: table cards, find your table, place cards, made by a job (its
    page shows the progress; downloading it there marks the plan printed). A pack already made from the
    same plan is offered at once."""
    event, _role = event_for(event_id, STAFF)
    shown = plans.plan_in_use(event) or abort(404)
    return follow_job(lambda: print_jobs.start_pack(event, shown, current_user.person),
                      "The print pack for this plan is being made already: here is how far it has got.")


@bp.route("/events/<int:event_id>/seating/<part>.pdf", methods=["POST"])
@login_required
def part_pdf(event_id: int, part: str):
    event, _role = event_for(event_id, STAFF)
    if part not in printing.PARTS:
        abort(404)
    return _pdf(event, [part], part)
