from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from cop.communities import directory
from cop.communities.access import ANY_ROLE, MANAGERS, community_for
from cop.communities.forms import CommunityForm
from cop.extensions import db
from cop.forms_common import refuse

bp = Blueprint("communities", __name__, url_prefix="/communities")


@bp.route("/")
@login_required
def index():
    return render_template("communities/index.html", communities=directory.communities_for(current_user))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    if not current_user.is_admin:
        abort(403)
    form = CommunityForm()
    if form.validate_on_submit():
        if directory.slug_taken(form.slug.data):
            refuse(form, form.slug, "That short name is taken: choose another")
        else:
            community = directory.create_community(
                form.name.data.strip(), form.slug.data, form.description.data or "", current_user.person
            )
            db.session.commit()
            flash(f"{community.name} has been created.")
            return redirect(url_for("communities.show", slug=community.slug))
    return render_template("communities/form.html", form=form, community=None), 400 if form.errors else 200


@bp.route("/<slug>")
@login_required
def show(slug: str):
    community, role = community_for(slug, ANY_ROLE)
    return render_template(
        "communities/show.html", community=community, role=role, counts=directory.role_counts(community)
    )


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str):
    community, _ = community_for(slug, MANAGERS)
    form = CommunityForm(obj=community)
    if form.validate_on_submit():
        if directory.slug_taken(form.slug.data, except_id=community.id):
            refuse(form, form.slug, "That short name is taken: choose another")
        else:
            form.populate_obj(community)
            db.session.commit()
            flash("The community has been saved.")
            return redirect(url_for("communities.show", slug=community.slug))
    return render_template("communities/form.html", form=form, community=community), 400 if form.errors else 200
