"""Personal data: organisers download or erase a person's data; everyone downloads their own."""
import json

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from cop import privacy
from cop.communities import members
from cop.communities.access import MANAGERS, community_for
from cop.privacy.forms import ErasureForm

bp = Blueprint("personal_data", __name__)


def _json_download(person, filename: str, community_id: int | None = None) -> Response:
    body = json.dumps(privacy.export_person(person, community_id), indent=2, ensure_ascii=False)
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": "no-store"})


def _member_or_404(slug: str, person_id: int):
    community, _ = community_for(slug, MANAGERS)
    membership = members.membership_of(community, person_id)
    if membership is None:
        abort(404)
    return community, membership.person


@bp.route("/communities/<slug>/people/<int:person_id>/data.json")
@login_required
def person_export(slug: str, person_id: int):
    """What this community holds about the member (a site administrator gets everything cop holds)."""
    community, person = _member_or_404(slug, person_id)
    scope = None if privacy.may_export_everything(current_user, person) else community.id
    return _json_download(person, f"cop-person-{person.id}.json", scope)


@bp.route("/communities/<slug>/people/<int:person_id>/erase", methods=["GET", "POST"])
@login_required
def erase(slug: str, person_id: int):
    community, person = _member_or_404(slug, person_id)
    if not privacy.may_erase(current_user, person, community.id):
        return render_template("people/erase.html", community=community, person=person, form=None,
                               erased=person.is_erased, allowed=False), 403
    form = ErasureForm()
    if form.validate_on_submit():
        name = person.name
        privacy.erase_person(person)
        flash(f"{name}'s personal data has been erased.")
        return redirect(url_for("people.index", slug=community.slug))
    return render_template("people/erase.html", community=community, person=person, form=form,
                           erased=person.is_erased, allowed=True), 400 if form.errors else 200


@bp.route("/my-data")
@login_required
def my_data():
    return render_template("people/my_data.html", sections=privacy.sections())


@bp.route("/my-data.json")
@login_required
def my_data_export():
    return _json_download(current_user.person, "my-cop-data.json")
