"""The year of themes: the public page and its PDF; the organiser's planning page."""
from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from cop.communities.access import ANY_ROLE, MANAGERS, community_for, role_in
from cop.communities.models import Community
from cop.events.models import Event
from cop.extensions import db
from cop.forms_common import ConfirmForm, refuse
from cop.programme import picture, suggestions, year
from cop.programme.forms import AdoptForm, EventThemeForm, PlaceThemeForm, SuggestionForm, ThemeForm
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


def _forms(community, theme_form=None, event_form=None, place_form=None):
    months = year.the_year(community, public_only=False)
    month_choices = [("", "Not placed yet")] + [(m.first_day.isoformat(), m.label) for m in months]
    themes = year.themes_of(community)
    theme_form = theme_form or ThemeForm(formdata=None)
    theme_form.month.choices = month_choices
    place_form = place_form or PlaceThemeForm(formdata=None, prefix="place")
    place_form.theme.choices = [(str(t.id), t.name) for t in themes]
    place_form.month.choices = month_choices
    event_form = event_form or EventThemeForm(formdata=None)
    event_form.event.choices = [(str(e.id), f"{e.title} ({e.starts_at:%-d %b %Y})") for m in months for e in m.events]
    event_form.theme.choices = [("", "No theme")] + [(str(t.id), t.name) for t in themes]
    return months, theme_form, event_form, place_form


def _plan(community, role, status=200, **forms):
    months, theme_form, event_form, place_form = _forms(community, **forms)
    themes = year.themes_of(community)
    in_the_year = {m.first_day for m in months}
    # A theme placed in a month that has passed (or is beyond the twelve) is shown with those not placed.
    elsewhere = [t for t in themes if t.month not in in_the_year]
    return render_template("programme/plan.html", community=community, role=role, months=months,
                           theme_form=theme_form, event_form=event_form, place_form=place_form, themes=themes,
                           elsewhere=elsewhere), status


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


@bp.route("/year/theme-month", methods=["POST"])
@login_required
def place_theme(slug: str):
    """A theme to a month (or back to not placed): the select form, or a theme dragged onto a month, which fills in
    and sends the same form."""
    community, role = community_for(slug, MANAGERS)
    form = PlaceThemeForm(prefix="place")
    _forms(community, place_form=form)
    if not form.validate_on_submit():
        return _plan(community, role, 400, place_form=form)
    theme = year.theme_in(community, int(form.theme.data))
    if theme is None:  # the choices are this community's themes, so only a theme deleted meanwhile
        abort(404)
    month = date.fromisoformat(form.month.data) if form.month.data else None
    year.place_theme(theme, month)
    db.session.commit()
    flash(f"“{theme.name}”: {month.strftime('%B %Y') if month else 'not placed yet'}.")
    return redirect(url_for("programme.plan", slug=community.slug) + "#year-board")


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


# --- Members' suggestions and votes ---------------------------------------------------------------------------

def _month_choices(community) -> list[tuple[str, str]]:
    return [("", "Not placed yet")] + [(m.first_day.isoformat(), m.label)
                                       for m in year.the_year(community, public_only=False)]


def _suggestions_page(community, role, form=None, status=200):
    form = form or SuggestionForm(formdata=None)
    adopt_form = AdoptForm(formdata=None)
    adopt_form.month.choices = _month_choices(community)
    return render_template("programme/suggestions.html", community=community, role=role, form=form,
                           adopt_form=adopt_form, is_open=suggestions.is_open(community),
                           ranked=suggestions.ranked(community, current_user.person), me=current_user.person), status


@bp.route("/year/suggestions", methods=["GET", "POST"])
@login_required
def suggestions_page(slug: str):
    """Themes suggested by members: suggest one (while the organiser has opened suggestions) and vote; the
    organiser sees them ranked by votes and adopts one into the year."""
    community, role = community_for(slug, ANY_ROLE)
    if request.method == "GET":
        return _suggestions_page(community, role)
    form = SuggestionForm()
    if form.validate_on_submit():
        try:
            suggestions.suggest(community, current_user.person, form.title.data, form.description.data or "")
        except suggestions.SuggestionRefused as refusal:
            db.session.rollback()
            refuse(form, form.title, str(refusal))
        else:
            db.session.commit()
            flash(f"Thank you: “{form.title.data.strip()}” is suggested. Others can vote for it now.")
            return redirect(url_for("programme.suggestions_page", slug=community.slug))
    return _suggestions_page(community, role, form, 400)


@bp.route("/year/suggestions/open", methods=["POST"])
@login_required
def open_suggestions(slug: str):
    """The organiser opens suggestions and votes to the members, or closes them (the button says which)."""
    community, _role = community_for(slug, MANAGERS)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    now_open = not suggestions.is_open(community)
    suggestions.set_open(community, now_open)
    db.session.commit()
    flash("Members can suggest themes and vote now." if now_open else "Suggestions and votes are closed.")
    return redirect(url_for("programme.suggestions_page", slug=community.slug))


def _suggestion(community, suggestion_id):
    suggestion = suggestions.suggestion_in(community, suggestion_id)
    if suggestion is None:
        abort(404)
    return suggestion


@bp.route("/year/suggestions/<int:suggestion_id>/vote", methods=["POST"])
@login_required
def vote(slug: str, suggestion_id: int):
    """Vote for another's suggestion, or withdraw the vote (once each)."""
    community, _role = community_for(slug, ANY_ROLE)
    suggestion = _suggestion(community, suggestion_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        voted = suggestions.toggle_vote(suggestion, current_user.person)
    except suggestions.SuggestionRefused as refusal:
        db.session.rollback()
        flash(str(refusal))
    else:
        db.session.commit()
        flash(f"You voted for “{suggestion.title}”." if voted else f"Your vote for “{suggestion.title}” is withdrawn.")
    return redirect(url_for("programme.suggestions_page", slug=community.slug) + f"#suggestion-{suggestion.id}")


@bp.route("/year/suggestions/<int:suggestion_id>/adopt", methods=["POST"])
@login_required
def adopt(slug: str, suggestion_id: int):
    """The organiser takes a suggestion into the year, for a month or not placed yet."""
    community, role = community_for(slug, MANAGERS)
    suggestion = _suggestion(community, suggestion_id)
    form = AdoptForm()
    form.month.choices = _month_choices(community)
    if not form.validate_on_submit():
        return _suggestions_page(community, role, status=400)
    try:
        suggestions.adopt(suggestion, date.fromisoformat(form.month.data) if form.month.data else None)
    except suggestions.SuggestionRefused as refusal:
        db.session.rollback()
        flash(str(refusal))
        return redirect(url_for("programme.suggestions_page", slug=community.slug))
    db.session.commit()
    flash(f"“{suggestion.title}” is in the year.")
    return redirect(url_for("programme.plan", slug=community.slug))
