"""An event's materials: the list (to whom each may be shown), adding, downloading, removing, the one mail."""
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from cop.communities.access import ANY_ROLE, STAFF, role_in
from cop.events import signals
from cop.events.access import event_for, member_may_see
from cop.events.models import Event
from cop.extensions import db, login_manager
from cop.forms_common import ConfirmForm, refuse
from cop.materials import sharing
from cop.materials.forms import MaterialForm
from cop.materials.storage import MissingFile, StoreUnavailable

bp = Blueprint("materials", __name__)


@bp.before_app_request
def larger_uploads_here():
    # The upload form alone takes files up to MATERIALS_MAX_BYTES (slides, a short recording); the rest of cop
    # keeps MAX_CONTENT_LENGTH. A little more than the file, for the form's other fields. An app-wide hook,
    # registered with the blueprints, so it runs before the app's own (which reads the form).
    if request.endpoint == "materials.add":
        request.max_content_length = current_app.config["MATERIALS_MAX_BYTES"] + 64 * 1024


def _event_and_role(event_id: int) -> tuple[Event, str | None]:
    """A published public event's materials page is anyone's (each material then shows only to whom it may);
    any other event's, its community's, as the event page is."""
    event = db.get_or_404(Event, event_id)
    if event.status == "published" and event.is_public:
        role = role_in(event.community, current_user)
        if role is not None and role not in STAFF and not member_may_see(event, current_user.person_id):
            abort(404)
        return event, role
    if not current_user.is_authenticated:
        return abort(login_manager.unauthorized())
    return event_for(event_id, ANY_ROLE)


def _person_id():
    return current_user.person_id if current_user.is_authenticated else None


@signals.page_values.connect
def materials_for_event_page(event: Event, role: str) -> dict:
    """The event page lists the materials the visitor may see, and links to the materials page."""
    return {"materials": sharing.visible_materials(event, role, _person_id())}


def _index(event, role, form=None, status=200):
    staff = role in STAFF
    return render_template(
        "materials/index.html", event=event, role=role, materials=sharing.visible_materials(event, role, _person_id()),
        form=form or MaterialForm(formdata=None), confirm_form=ConfirmForm(), staff=staff,
        notice=sharing.notice_of(event) if staff else None, endings=sharing.accepted_endings(),
        max_mb=current_app.config["MATERIALS_MAX_BYTES"] // (1024 * 1024),
        to_tell=len(sharing.people_to_tell(event)) if staff else 0), status


@bp.route("/events/<int:event_id>/materials")
def index(event_id: int):
    event, role = _event_and_role(event_id)
    return _index(event, role)


@bp.route("/events/<int:event_id>/materials/add", methods=["POST"])
@login_required
def add(event_id: int):
    event, role = event_for(event_id, STAFF)
    form = MaterialForm()
    if form.validate_on_submit():
        upload = form.upload.data
        try:
            if upload and upload.filename:
                sharing.add_file(event, form.title.data or "", upload.filename, upload.read(), form.visibility.data,
                                 current_user.person)
            elif form.url.data:
                if not form.title.data:
                    raise sharing.MaterialRefused("Give the link a title")
                sharing.add_link(event, form.title.data, form.url.data, form.visibility.data, current_user.person)
            else:
                raise sharing.MaterialRefused("Choose a file or enter a link")
        except sharing.MaterialRefused as refusal:
            db.session.rollback()
            refuse(form, form.url if form.url.data and not (upload and upload.filename) else form.upload, str(refusal))
        else:
            db.session.commit()
            flash("The material has been added.")
            return redirect(url_for("materials.index", event_id=event.id))
    return _index(event, role, form, 400)


def _material(event, material_id):
    return sharing.material_of(event, material_id) or abort(404)


@bp.route("/events/<int:event_id>/materials/<int:material_id>")
def download(event_id: int, material_id: int):
    event, role = _event_and_role(event_id)
    material = _material(event, material_id)
    if not sharing.may_see(material, role, _person_id()):
        abort(404)
    if material.kind == "link":
        return redirect(material.url)
    try:
        download = sharing.download_of(material)  # from disk or the S3 store, through this view's check above
    except MissingFile:
        abort(404)
    except StoreUnavailable:
        current_app.logger.error("materials store unavailable for material %s", material.id)
        abort(503)
    safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in material.filename) or "material"
    response = Response(download.chunks, content_type=material.content_type, direct_passthrough=True,
                        headers={"Content-Disposition": f'attachment; filename="{safe}"',
                                 "Content-Length": str(download.size)})
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/events/<int:event_id>/materials/<int:material_id>/remove", methods=["POST"])
@login_required
def remove(event_id: int, material_id: int):
    event, _role = event_for(event_id, STAFF)
    material = _material(event, material_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    stored = sharing.remove(material)
    db.session.commit()
    sharing.discard_stored(stored)
    flash(f"“{material.title}” has been removed.")
    return redirect(url_for("materials.index", event_id=event.id))


@bp.route("/events/<int:event_id>/materials/notify", methods=["POST"])
@login_required
def notify(event_id: int):
    event, _role = event_for(event_id, STAFF)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        told = sharing.tell_materials_are_up(event, current_user.person)
    except sharing.MaterialRefused as refusal:
        db.session.rollback()
        flash(str(refusal))
    else:
        db.session.commit()
        flash(f"{told} {'person has' if told == 1 else 'people have'} been told that the materials are up.")
    return redirect(url_for("materials.index", event_id=event.id))
