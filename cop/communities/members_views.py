import csv

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from cop.communities import guest_list, import_job, members
from cop.communities.access import MANAGERS, STAFF, community_for
from cop.communities.jobs_views import follow_job
from cop.communities.member_forms import FilterForm, ImportConfirmForm, ImportUploadForm, MemberForm, PersonForm
from cop.csv_safety import csv_download
from cop.extensions import db
from cop.forms_common import MAX_PAGE, ConfirmForm, int_arg, refuse
from cop.jobs import queue as jobs

bp = Blueprint("people", __name__, url_prefix="/communities/<slug>")


def filter_from_args(community, args) -> tuple[FilterForm, members.PeopleFilter]:
    """The people filters from a GET form's arguments (a bad value is ignored): the people page's,
    and the exchange pairs page's."""
    form = FilterForm(args)
    form.fill_filter_choices(community)
    form.validate()
    return form, form.people_filter(search=form.q.data or "")


@bp.route("/people")
@login_required
def index(slug: str):
    community, role = community_for(slug, STAFF)
    form, wanted = filter_from_args(community, request.args)
    page = members.find_members(community, wanted, page=int_arg("page", 1, maximum=MAX_PAGE))
    return render_template(
        "people/index.html", community=community, role=role, form=form, page=page, remove_form=ConfirmForm()
    )


def _details_from(form: MemberForm, name: str = "", email: str = "") -> members.MemberDetails:
    return members.MemberDetails(
        name=name, email=email, organisation=form.organisation_name.data or "",
        sector=form.sector.data or "", place=form.place.data or "", profession=form.profession.data,
        role_title=form.role_title.data or "", interests=form.interests.data or "",
        dietary_needs=form.dietary_needs.data or "", access_needs=form.access_needs.data or "",
        notes=form.notes.data or "", role=form.role.data, invite_quota=form.invite_quota.data or 0,
        line_manager_email=(form.line_manager_email.data or "").strip().lower(),
    )


def _check_record(community, form: MemberForm, email: str) -> None:
    """The record's checks, answered from this community's members alone (never from who cop knows)."""
    name = (form.organisation_name.data or "").strip()
    if name and not form.sector.data and members.find_organisation(name) is None:
        refuse(form, form.sector, f"{name} is new to cop: choose its sector")
    manager = (form.line_manager_email.data or "").strip().lower()
    if manager and manager == email:
        refuse(form, form.line_manager_email, "Someone cannot be their own line manager")
    elif manager and members.member_by_email(community, manager) is None:
        refuse(form, form.line_manager_email,
            f"Nobody in this community has the address {manager}: add their line manager first")


@bp.route("/people/new", methods=["GET", "POST"])
@login_required
def new(slug: str):
    community, _ = community_for(slug, MANAGERS)
    form = PersonForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        _check_record(community, form, email)
        if members.member_by_email(community, email):
            refuse(form, form.email, "Someone in this community already has that email address")
        if not form.errors:
            members.add_member(community, _details_from(form, form.name.data, email))
            db.session.commit()
            flash(f"{form.name.data} has been added.")
            return redirect(url_for("people.index", slug=community.slug))
    return render_template(
        "people/form.html", community=community, form=form, person=None,
        organisations=members.all_organisations(),
    ), 400 if form.errors else 200


@bp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str, person_id: int):
    community, _ = community_for(slug, MANAGERS)
    membership = members.membership_of(community, person_id) or abort(404)
    person = membership.person
    form = MemberForm(obj=membership, organisation_name=membership.organisation.name if membership.organisation else "",
                      line_manager_email=membership.line_manager.email if membership.line_manager else "")
    if form.validate_on_submit():
        _check_record(community, form, person.email)
        if not form.errors:
            members.update_member(membership, _details_from(form))
            db.session.commit()
            flash(f"{person.name} has been saved.")
            return redirect(url_for("people.index", slug=community.slug))
    return render_template(
        "people/form.html", community=community, form=form, person=person,
        organisations=members.all_organisations(),
    ), 400 if form.errors else 200


@bp.route("/people/<int:person_id>/remove", methods=["POST"])
@login_required
def remove(slug: str, person_id: int):
    community, _ = community_for(slug, MANAGERS)
    membership = members.membership_of(community, person_id) or abort(404)
    if ConfirmForm().validate_on_submit():
        name = membership.person.name
        members.remove_member(membership)
        db.session.commit()
        flash(f"{name} has been removed from {community.name}.")
    return redirect(url_for("people.index", slug=community.slug))


@bp.route("/people/import", methods=["GET", "POST"])
@login_required
def import_guest_list(slug: str):
    community, _ = community_for(slug, MANAGERS)
    form = ImportUploadForm()
    if form.validate_on_submit():
        try:
            text = guest_list.read_upload(form.guest_list.data.read())
        except guest_list.UnreadableFile as error:
            refuse(form, form.guest_list, str(error))
        else:
            # Kept on the server for the preview and the confirmation: the form names it, never carries it.
            upload = jobs.keep_upload(import_job.UPLOAD_KIND, text, community.id, current_user.person)
            db.session.commit()
            return _preview(community, text, _remembered_choices(community, text), upload_id=upload.id)
    return render_template("people/import.html", community=community, form=form,
                           columns=guest_list.COLUMNS), 400 if form.errors else 200


def _preview(community, text: str, choices: guest_list.ImportChoices, status: int | None = None,
             upload_id: int | None = None, page: int = 1):
    plan = guest_list.plan_import(community, text, choices)
    return render_template(
        "people/import_preview.html", community=community, plan=plan, choices=choices,
        shown=guest_list.preview_page(plan, page),
        confirm_form=ImportConfirmForm(upload_id=upload_id) if upload_id else ImportConfirmForm(csv_text=text),
        fields=guest_list.FIELD_LABELS,
        vocabularies=guest_list.VOCABULARIES,
    ), status or (200 if plan.ok else 400)


def _memory_key(community) -> str:
    return f"import-choices-{community.id}"


def _remembered_choices(community, text: str) -> guest_list.ImportChoices:
    """The organiser's last matches in this community (kept in their session): a header they matched before
    is matched the same way, and their words keep their meaning."""
    from flask import session

    memory = session.get(_memory_key(community)) or {}
    headers = next(csv.reader(text.splitlines()[:1]), [])
    remembered = memory.get("columns", {})
    columns = [remembered.get(h.strip().lower(), auto)
               for h, auto in zip(headers, guest_list.auto_columns(headers))]
    values = {tuple(key.split("|", 1)): code for key, code in memory.get("values", {}).items()}
    return guest_list.ImportChoices(columns=columns, values=values)


def _remember(community, plan, choices: guest_list.ImportChoices) -> None:
    from flask import session

    automatic = guest_list.auto_columns(plan.headers)
    columns = {h.strip().lower(): c for h, c, auto in zip(plan.headers, plan.columns, automatic)
               if h.strip() and c != auto}
    values = {f"{column}|{word}": code for (column, word), code in choices.values.items()}
    session[_memory_key(community)] = {"columns": dict(list(columns.items())[:60]),
                                       "values": dict(list(values.items())[:100])}


def _choices_from_form(form) -> guest_list.ImportChoices:
    columns: list[str] = []
    while f"column-{len(columns)}" in form and len(columns) < 500:
        columns.append(form[f"column-{len(columns)}"])
    values: dict[tuple[str, str], str] = {}
    for key, code in form.items():
        if key.startswith("value|") and code and len(values) < 500:
            _prefix, column, word = key.split("|", 2)
            if column in guest_list.VOCABULARIES:
                values[(column, word.lower())] = code
    return guest_list.ImportChoices(columns=columns or None, values=values,
                                    merge_duplicates=form.get("merge_duplicates") == "yes")


@bp.route("/people/import/confirm", methods=["POST"])
@login_required
def confirm_import(slug: str):
    community, _ = community_for(slug, MANAGERS)
    form = ImportConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    upload_id = int(form.upload_id.data) if (form.upload_id.data or "").isdigit() else None
    text = (jobs.upload_text(upload_id, import_job.UPLOAD_KIND, community.id, current_user.person)
            if upload_id else form.csv_text.data)
    if not text:
        abort(400)  # no file, or one that is not this organiser's (or no longer kept)
    choices = _choices_from_form(request.form)
    action = request.form.get("action", "")
    if action == "check":  # the matches changed: preview again, nothing written
        return _preview(community, text, choices, upload_id=upload_id)
    if action.startswith("page-"):  # another page of the preview's rows (or problems), nothing written
        page = int(action[5:]) if action[5:].isdigit() and len(action) < 12 else 1
        return _preview(community, text, choices, upload_id=upload_id, page=page)
    if upload_id and text.count("\n") > current_app.config["IMPORT_IN_BACKGROUND_OVER"]:
        # A large file: checked, then written by a job (issue 19) whose page shows the progress.
        plan = guest_list.plan_import(community, text, choices)
        if not plan.ok:
            return _preview(community, text, choices, status=400, upload_id=upload_id)
        _remember(community, plan, choices)
        return follow_job(
            lambda: import_job.start_import(community, upload_id, choices, len(plan.creates) + len(plan.updates),
                                            current_user.person),
            "A guest list is being imported into this community already: here is how far it has got.")
    try:
        plan = guest_list.apply_import(community, text, choices)
    except IntegrityError:
        # Someone joined (another import, an edit) between the checks and the writing: nothing of this import
        # was written. Checked again against the list as it is now.
        db.session.rollback()
        flash("The list changed while these people were being imported, so nobody was added or changed: "
              "check the file against it again.")
        return _preview(community, text, choices, status=409, upload_id=upload_id)
    if not plan.ok:
        # Something changed since the preview (another import, an edit): show the new problems.
        return _preview(community, text, choices, status=400, upload_id=upload_id)
    _remember(community, plan, choices)
    flash(f"Imported the guest list: {len(plan.creates)} added, {len(plan.updates)} updated.")
    return redirect(url_for("people.index", slug=community.slug))


@bp.route("/people.csv")
@login_required
def export_guest_list(slug: str):
    community, _ = community_for(slug, MANAGERS)
    return csv_download(guest_list.export_guest_list(community), f"{community.slug}-people.csv")
