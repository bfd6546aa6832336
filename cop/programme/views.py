"""The year of themes: the public page and its PDF; the organiser's planning page."""
from datetime import date

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from cop.communities.access import MANAGERS, community_for, role_in
from cop.communities.models import Community
from cop.events.models import Event
from cop.extensions import db
from cop.forms_common import refuse
from cop.programme import picture, year
from cop.programme.forms import EventThemeForm, ThemeForm
from cop.seating.printing import pdf_from_html

bp = Blueprint("programme", __name__, url_prefix="/communities/<slug>")


def _community(slug: str) -> Community:
    return db.first_or_404(select(Community).where(Community.slug == slug))


@bp.route("/year")
def year_page(slug: str):
    """The year at a glance, for anyone (published public events only): the community shares it."""
    community = _community(slug)
    months = year.the_year(community)
    return render_template("programme/year.html", community=community, months=months,
                           role=role_in(community, current_user), printing=False,
                           picture=picture.year_picture_markup(community.name, months))


@bp.route("/year.svg")
def year_svg(slug: str):
    """The year as a picture, to download (the same as the page's): an SVG file, for slides and newsletters."""
    community = _community(slug)
    svg = '<?xml version="1.0" encoding="UTF-8"?>\n' + picture.year_picture(community.name, year.the_year(community))
    safe = "".join(c if c.isalnum() else "-" for c in community.slug)
    return Response(svg, mimetype="image/svg+xml", headers={
        "Content-Disposition": f'attachment; filename="{safe}-year.svg"',
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox"})


@bp.route("/year.pdf")
def year_pdf(slug: str):
    community = _community(slug)
    html = render_template("programme/year.html", community=community, months=year.the_year(community), role=None,
                           printing=True)
    safe = "".join(c if c.isalnum() else "-" for c in community.slug)
    return Response(pdf_from_html(html), mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{safe}-year.pdf"'})


def _forms(community, theme_form=None, event_form=None):
    months = year.the_year(community, public_only=False)
    theme_form = theme_form or ThemeForm(formdata=None)
    theme_form.month.choices = [("", "Not placed yet")] + [(m.first_day.isoformat(), m.label) for m in months]
    event_form = event_form or EventThemeForm(formdata=None)
    event_form.event.choices = [(str(e.id), f"{e.title} ({e.starts_at:%-d %b %Y})") for m in months for e in m.events]
    event_form.theme.choices = [("", "No theme")] + [(str(t.id), t.name) for t in year.themes_of(community)]
    return months, theme_form, event_form


def _plan(community, role, status=200, **forms):
    months, theme_form, event_form = _forms(community, **forms)
    return render_template("programme/plan.html", community=community, role=role, months=months,
                           theme_form=theme_form, event_form=event_form, themes=year.themes_of(community)), status


@bp.route("/year/plan", methods=["GET", "POST"])
@login_required
def plan(slug: str):
    """The organiser plans the year: a theme for a month (and, below, an event's theme)."""
    community, role = community_for(slug, MANAGERS)
    if request.method == "GET":
        return _plan(community, role)
    form = ThemeForm()
    _forms(community, theme_form=form)
    if form.validate_on_submit():
        try:
            year.add_theme(community, form.name.data, date.fromisoformat(form.month.data) if form.month.data else None,
                           form.description.data or "")
        except year.ThemeRefused as refusal:
            db.session.rollback()
            refuse(form, form.name, str(refusal))
        else:
            db.session.commit()
            flash(f"“{form.name.data.strip()}” is in the year.")
            return redirect(url_for("programme.plan", slug=community.slug))
    return _plan(community, role, 400, theme_form=form)


@bp.route("/year/event-theme", methods=["POST"])
@login_required
def event_theme(slug: str):
    community, role = community_for(slug, MANAGERS)
    form = EventThemeForm()
    _forms(community, event_form=form)
    if not form.validate_on_submit():
        return _plan(community, role, 400, event_form=form)
    event = db.session.execute(select(Event).where(Event.community_id == community.id,
                                                   Event.id == int(form.event.data))).scalar_one()
    theme = year.theme_in(community, int(form.theme.data)) if form.theme.data else None
    year.give_event_theme(event, theme)
    db.session.commit()
    flash(f"{event.title}: {'theme ' + theme.name if theme else 'no theme'}.")
    return redirect(url_for("programme.plan", slug=community.slug))
