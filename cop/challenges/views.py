"""Challenge pages: the community's challenges, a challenge's ideas, an idea with its comments and support,
the pipeline (staff), the report and CSV, personal links for guests, and "My ideas".

Who may do what: organisers post and edit challenges, rename stages and manage personal links; organisers
and facilitators (staff) move, merge and hide, and read the report, CSV and moderation log; people who may
take part (see challenges.role_may_take_part, or a personal link) give ideas, comment and support.
"""
from dataclasses import dataclass
from datetime import time

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from cop.challenges import challenges as challenge_logic
from cop.challenges import export, pipeline, voices
from cop.challenges import ideas as idea_logic
from cop.challenges.forms import (
    ChallengeForm,
    CommentForm,
    HideForm,
    IdeaForm,
    IdeaSearchForm,
    MergeForm,
    MoveForm,
    ReplyForm,
    SeatingSizeForm,
    ShowForm,
    stage_names_form,
)
from cop.challenges.mails import mail_participation_link
from cop.challenges.models import Challenge, Idea, IdeaComment
from cop.clock import utcnow
from cop.communities import members
from cop.communities.access import ANY_ROLE, MANAGERS, STAFF, community_for, role_in
from cop.csv_safety import csv_download
from cop.events import signals as event_signals
from cop.events.access import member_may_see
from cop.events.models import Event
from cop.events.times import to_london, to_utc
from cop.extensions import db, limiter, login_manager, token_guesses
from cop.feedback.charts import bar_chart as draw_bars  # a sibling feature's SVG bars (no JavaScript)
from cop.forms_common import ConfirmForm, refuse
from cop.invitations import signals as invitation_signals
from cop.links import external_url
from cop.people.models import Person
from cop.seating import plans  # seating sits below this feature and never imports it

bp = Blueprint("challenges", __name__)

# The personal links a browser has opened: {challenge id: the link's token hash}. The hash is checked
# against the database on every request, so a revoked link stops working at once.
LINKS_IN_SESSION = "challenge_links"


def _status(form) -> int:
    return 400 if form.errors else 200


# --- Who is looking -----------------------------------------------------------------------------------


@dataclass
class Viewer:
    person: Person
    role: str | None  # the community role, None for a personal link's holder
    staff: bool


def _link_holder(challenge: Challenge) -> Person | None:
    token_hash = (session.get(LINKS_IN_SESSION) or {}).get(str(challenge.id))
    link = challenge_logic.link_by_hash(token_hash) if token_hash else None
    return link.person if link is not None and link.challenge_id == challenge.id else None


def viewer_of(challenge: Challenge) -> Viewer:
    """Who may see and take part in the challenge: the community's people its audience admits (staff
    always), or the holder of a personal link. Anyone else signs in (anonymous) or is refused (403)."""
    role = role_in(challenge.community, current_user)
    if role is not None and (role in STAFF or challenge_logic.role_may_take_part(challenge, role)):
        return Viewer(current_user.person, role, role in STAFF)
    holder = _link_holder(challenge)
    if holder is not None:
        return Viewer(holder, None, False)
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    abort(403)


def _staff_of(challenge: Challenge, roles=STAFF) -> str:
    _, role = community_for(challenge.community.slug, roles)
    return role


def _post_key() -> str:
    """Posting limits count per person (a trust's network puts many behind one address)."""
    if current_user.is_authenticated:
        return f"challenge-post-person-{current_user.person_id}"
    links = session.get(LINKS_IN_SESSION) or {}
    if links:
        return "challenge-post-link-" + "-".join(sorted(links.values()))[:200]
    return f"challenge-post-{request.remote_addr}"


def _post_limit() -> str:
    return current_app.config["CHALLENGE_POST_RATE_LIMIT"]


def _challenge(challenge_id: int) -> Challenge:
    return db.get_or_404(Challenge, challenge_id)


def _idea(idea_id: int) -> tuple[Idea, Viewer]:
    idea = db.get_or_404(Idea, idea_id)
    return idea, viewer_of(idea.challenge)


# --- Signals: the event page and the invitation mail ------------------------------------------------


@event_signals.page_values.connect
def challenges_for_event_page(event: Event, role: str) -> dict:
    """The event page lists the challenges it will discuss (to those who may see each)."""
    shown = [c for c in challenge_logic.challenges_for_event(event)
             if role in STAFF or challenge_logic.role_may_take_part(c, role)]
    return {"challenges": shown}


@invitation_signals.mail_links.connect
def challenge_links_for_invitation(invitation) -> list[tuple[str, str]]:
    """The invitation mail links to each open challenge its event will discuss: a personal link (no account
    needed) when the challenge takes them, else its page, for members who sign in."""
    links = []
    now = utcnow()
    for challenge in challenge_logic.challenges_for_event(invitation.event):
        if now >= challenge.closes_at:
            continue
        if challenge.audience == "link":
            token = challenge_logic.new_participation_link(challenge, invitation.person)
            links.append((f"Share your ideas before the event: {challenge.title}",
                          external_url("challenges.take_part", token=token)))
        else:
            membership = members.membership_of(challenge.community, invitation.person_id)
            if membership is not None and membership.role in challenge_logic.MEMBER_ROLES:
                links.append((f"Share your ideas before the event (sign in): {challenge.title}",
                              external_url("challenges.show", challenge_id=challenge.id)))
    return links


# --- Challenges ---------------------------------------------------------------------------------------


@bp.route("/communities/<slug>/challenges")
@login_required
def index(slug: str):
    community, role = community_for(slug, ANY_ROLE)
    return render_template("challenges/index.html", community=community, role=role,
                           challenges=challenge_logic.challenges_of(community, role), now=utcnow())


def _details(form: ChallengeForm) -> challenge_logic.ChallengeDetails:
    return challenge_logic.ChallengeDetails(
        title=form.title.data, question=form.question.data, background=form.background.data or "",
        audience=form.audience.data, allow_anonymous=bool(form.allow_anonymous.data),
        opens_at=to_utc(form.opens_on.data, form.opens_at.data),
        closes_at=to_utc(form.closes_on.data, form.closes_at.data), event_id=form.chosen_event_id())


def _save_challenge(form, community, challenge=None):
    try:
        details = _details(form)
        if challenge is None:
            challenge = challenge_logic.post_challenge(community, details, current_user.person)
        else:
            challenge_logic.update_challenge(challenge, details)
    except (challenge_logic.ChallengeRefused, ValueError) as refusal:
        db.session.rollback()
        message = str(refusal)
        refuse(form, form.event_id if "event" in message else form.closes_on, message)
        return None
    db.session.commit()
    return challenge


@bp.route("/communities/<slug>/challenges/new", methods=["GET", "POST"])
@login_required
def new(slug: str):
    community, _ = community_for(slug, MANAGERS)
    form = ChallengeForm(events=challenge_logic.events_to_tie(community),
                         data=None if request.method == "POST" else {"opens_at": time(9, 0), "closes_at": time(17, 0)})
    if form.validate_on_submit():
        challenge = _save_challenge(form, community)
        if challenge is not None:
            flash(f"The challenge “{challenge.title}” has been posted.")
            return redirect(url_for("challenges.show", challenge_id=challenge.id))
    return render_template("challenges/form.html", community=community, form=form, challenge=None), _status(form)


@bp.route("/challenges/<int:challenge_id>/edit", methods=["GET", "POST"])
@login_required
def edit(challenge_id: int):
    challenge = _challenge(challenge_id)
    _staff_of(challenge, MANAGERS)
    events = challenge_logic.events_to_tie(challenge.community)
    if challenge.event is not None and challenge.event not in events:
        events = [challenge.event, *events]
    data = None
    if request.method != "POST":
        opens, closes = to_london(challenge.opens_at), to_london(challenge.closes_at)
        data = {"title": challenge.title, "question": challenge.question, "background": challenge.background,
                "audience": challenge.audience, "allow_anonymous": challenge.allow_anonymous,
                "opens_on": opens.date(), "opens_at": opens.time(), "closes_on": closes.date(),
                "closes_at": closes.time(), "event_id": str(challenge.event_id or "")}
    form = ChallengeForm(events=events, data=data)
    if form.validate_on_submit() and _save_challenge(form, challenge.community, challenge) is not None:
        flash("The challenge has been saved.")
        return redirect(url_for("challenges.show", challenge_id=challenge.id))
    return render_template("challenges/form.html", community=challenge.community, form=form,
                           challenge=challenge), _status(form)


@bp.route("/communities/<slug>/challenges/stages", methods=["GET", "POST"])
@login_required
def stages(slug: str):
    community, _ = community_for(slug, MANAGERS)
    labels = challenge_logic.stage_labels(community.id)
    form = stage_names_form(labels, request.form if request.method == "POST" else None)
    if form.validate_on_submit():
        challenge_logic.rename_stages(community, {name: form[name].data for name in labels})
        db.session.commit()
        flash("The stages' names have been saved.")
        return redirect(url_for("challenges.index", slug=community.slug))
    return render_template("challenges/stages.html", community=community, form=form, stages=list(labels)), \
        _status(form)


@bp.route("/challenges/<int:challenge_id>")
def show(challenge_id: int):
    challenge = _challenge(challenge_id)
    viewer = viewer_of(challenge)
    labels = challenge_logic.stage_labels(challenge.community_id)
    search = IdeaSearchForm(request.args, labels=labels)
    search.validate()
    wanted = idea_logic.IdeaFilter(search=(search.q.data or "") if not search.q.errors else "",
                                   stage=search.stage.data or "", sort=search.sort.data or "newest")
    rows = idea_logic.find_ideas(challenge, wanted, viewer.person, include_hidden=viewer.staff)
    return render_template(
        "challenges/show.html", challenge=challenge, viewer=viewer, labels=labels, search=search, rows=rows,
        is_open=challenge.is_open(utcnow()), mine=idea_logic.ideas_of_person(viewer.person, challenge.id),
        stage_counts=pipeline.stage_counts(challenge), progress=idea_logic.progress,
        event_visible=challenge.event is not None and viewer.role is not None and (
            viewer.staff or member_may_see(challenge.event, viewer.person.id)),
        author_shown=idea_logic.author_shown, confirm_form=ConfirmForm(), filtered=bool(
            wanted.search or wanted.stage or request.args.get("sort")))


@bp.route("/challenges/<int:challenge_id>/ideas/new", methods=["GET", "POST"])
@limiter.limit(_post_limit, methods=["POST"], key_func=_post_key)
def new_idea(challenge_id: int):
    challenge = _challenge(challenge_id)
    viewer = viewer_of(challenge)
    form = IdeaForm()
    is_open = challenge.is_open(utcnow())
    if is_open and form.validate_on_submit():
        try:
            idea = idea_logic.submit_idea(challenge, viewer.person, form.title.data, form.description.data,
                                          bool(form.anonymous.data))
        except idea_logic.ClosedForIdeas as refusal:
            db.session.rollback()
            refuse(form, form.title, str(refusal))
        else:
            db.session.commit()
            flash("Thank you: your idea has been shared. You can follow its progress under “Your ideas”.")
            return redirect(url_for("challenges.idea", idea_id=idea.id))
    elif request.method == "POST" and not is_open:
        abort(409, "This challenge is not open for ideas now.")
    return render_template("challenges/idea_form.html", challenge=challenge, form=form, is_open=is_open,
                           viewer=viewer), _status(form)


def _idea_page(idea: Idea, viewer: Viewer, status: int = 200, **forms):
    challenge = idea.challenge
    labels = challenge_logic.stage_labels(challenge.community_id)
    others = [r.idea for r in idea_logic.find_ideas(challenge, idea_logic.IdeaFilter(), include_hidden=True)
              if r.idea.id != idea.id] if viewer.staff else []
    breakdown, spread = voices.idea_voices(idea) if viewer.staff else (None, "")
    forms.setdefault("comment_form", CommentForm(formdata=None))
    forms.setdefault("reply_form", ReplyForm(formdata=None))
    forms.setdefault("move_form", MoveForm(labels=labels, formdata=None, data={"stage": idea.stage}))
    forms.setdefault("merge_form", MergeForm(ideas=others, formdata=None))
    forms.setdefault("hide_form", HideForm(formdata=None))
    forms.setdefault("show_form", ShowForm(formdata=None))
    return render_template(
        "challenges/idea.html", idea=idea, challenge=challenge, viewer=viewer, labels=labels,
        author=idea_logic.author_shown(idea, viewer.staff, viewer.person), threads=idea_logic.threads(idea),
        moves=idea_logic.moves_of(idea), supporters=idea_logic.support_count(idea),
        supported=idea_logic.supports(idea, viewer.person), is_open=challenge.is_open(utcnow()),
        progress=idea_logic.progress(idea.stage), breakdown=breakdown, spread=spread,
        spread_labels=voices.SPREAD_LABELS, confirm_form=ConfirmForm(), **forms,
    ), status


@bp.route("/ideas/<int:idea_id>")
def idea(idea_id: int):
    idea, viewer = _idea(idea_id)
    return _idea_page(idea, viewer)


@bp.route("/ideas/<int:idea_id>/comments", methods=["POST"])
@limiter.limit(_post_limit, key_func=_post_key)
def comment(idea_id: int):
    idea, viewer = _idea(idea_id)
    replying = bool(request.form.get("parent_id"))
    form = ReplyForm() if replying else CommentForm()
    if not form.validate_on_submit():
        return _idea_page(idea, viewer, 400, **{"reply_form" if replying else "comment_form": form})
    try:
        parent = int(form.parent_id.data) if (form.parent_id.data or "").isdigit() else None
        idea_logic.add_comment(idea, viewer.person, form.body.data, parent)
    except idea_logic.ClosedForIdeas as refusal:
        db.session.rollback()
        refuse(form, form.body, str(refusal))
        return _idea_page(idea, viewer, 409, **{"reply_form" if replying else "comment_form": form})
    db.session.commit()
    flash("Your reply has been added." if replying else "Your comment has been added.")
    return redirect(url_for("challenges.idea", idea_id=idea.id, _anchor="comments"))


@bp.route("/ideas/<int:idea_id>/support", methods=["POST"])
@limiter.limit(_post_limit, key_func=_post_key)
def support(idea_id: int):
    idea, viewer = _idea(idea_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        if request.form.get("withdraw") == "yes":
            changed = idea_logic.withdraw_support(idea, viewer.person)
            message = "Your support has been withdrawn." if changed else "You were not supporting this idea."
        else:
            changed = idea_logic.support(idea, viewer.person)
            message = "You support this idea." if changed else "You already support this idea."
    except idea_logic.ClosedForIdeas as refusal:
        db.session.rollback()
        flash(str(refusal))
        return redirect(url_for("challenges.idea", idea_id=idea.id))
    db.session.commit()
    flash(message)
    return redirect(url_for("challenges.idea", idea_id=idea.id))


# --- The pipeline (staff) -----------------------------------------------------------------------------


def _staff_idea(idea_id: int) -> tuple[Idea, Viewer]:
    idea = db.get_or_404(Idea, idea_id)
    role = _staff_of(idea.challenge)
    return idea, Viewer(current_user.person, role, True)


@bp.route("/ideas/<int:idea_id>/move", methods=["POST"])
@login_required
def move(idea_id: int):
    idea, viewer = _staff_idea(idea_id)
    labels = challenge_logic.stage_labels(idea.challenge.community_id)
    form = MoveForm(labels=labels)
    if form.validate_on_submit():
        try:
            pipeline.move_idea(idea, form.stage.data, form.move_reason.data, current_user.person)
        except pipeline.PipelineRefused as refusal:
            db.session.rollback()
            refuse(form, form.stage, str(refusal))
        else:
            db.session.commit()
            flash(f"“{idea.title}” is now “{labels[idea.stage]}”; everyone following it will be told.")
            return redirect(url_for("challenges.idea", idea_id=idea.id))
    return _idea_page(idea, viewer, 400, move_form=form)


@bp.route("/ideas/<int:idea_id>/merge", methods=["POST"])
@login_required
def merge(idea_id: int):
    idea, viewer = _staff_idea(idea_id)
    others = [r.idea for r in idea_logic.find_ideas(idea.challenge, idea_logic.IdeaFilter(), include_hidden=True)
              if r.idea.id != idea.id]
    form = MergeForm(ideas=others)
    if form.validate_on_submit():
        into = next((i for i in others if str(i.id) == form.into.data), None)
        if into is None:
            refuse(form, form.into, "Choose another idea of this challenge to merge into")
        else:
            try:
                pipeline.merge_ideas(idea, into, form.merge_reason.data, current_user.person)
            except pipeline.PipelineRefused as refusal:
                db.session.rollback()
                refuse(form, form.into, str(refusal))
            else:
                db.session.commit()
                flash(f"“{idea.title}” has been merged into “{into.title}”: its supports and comments moved there.")
                return redirect(url_for("challenges.idea", idea_id=into.id))
    return _idea_page(idea, viewer, 400, merge_form=form)


@bp.route("/ideas/<int:idea_id>/hide", methods=["POST"])
@login_required
def hide_idea(idea_id: int):
    idea, viewer = _staff_idea(idea_id)
    form = HideForm()
    if form.validate_on_submit():
        pipeline.hide_idea(idea, form.hide_reason.data, current_user.person)
        db.session.commit()
        flash(f"“{idea.title}” is hidden from participants; the moderation log keeps why.")
        return redirect(url_for("challenges.idea", idea_id=idea.id))
    return _idea_page(idea, viewer, 400, hide_form=form)


@bp.route("/ideas/<int:idea_id>/show", methods=["POST"])
@login_required
def show_idea(idea_id: int):
    idea, viewer = _staff_idea(idea_id)
    form = ShowForm()
    if form.validate_on_submit():
        pipeline.show_idea(idea, form.show_reason.data or "", current_user.person)
        db.session.commit()
        flash(f"“{idea.title}” is shown to participants again.")
        return redirect(url_for("challenges.idea", idea_id=idea.id))
    return _idea_page(idea, viewer, 400, show_form=form)


@bp.route("/idea-comments/<int:comment_id>/hide", methods=["POST"])
@login_required
def hide_comment(comment_id: int):
    found = db.get_or_404(IdeaComment, comment_id)
    idea, viewer = _staff_idea(found.idea_id)
    form = HideForm()
    if form.validate_on_submit():
        pipeline.hide_comment(found, form.hide_reason.data, current_user.person)
        db.session.commit()
        flash("The comment is hidden; the moderation log keeps why.")
        return redirect(url_for("challenges.idea", idea_id=idea.id, _anchor="comments"))
    flash("Give the reason for hiding the comment.")
    return redirect(url_for("challenges.idea", idea_id=idea.id, _anchor=f"comment-{found.id}"))


@bp.route("/challenges/<int:challenge_id>/moderation")
@login_required
def moderation(challenge_id: int):
    challenge = _challenge(challenge_id)
    _staff_of(challenge)
    return render_template("challenges/moderation.html", challenge=challenge,
                           entries=pipeline.moderation_log(challenge))


# --- Who is speaking: report, CSV, seating by idea ----------------------------------------------------


@dataclass
class Bar:
    label: str
    count: int
    share: float


def bar_chart(rows, total: int | None = None):
    """Server-drawn bars (each with its count and share of `total`, or of the largest); the page puts a table
    of the same numbers beside each chart for screen readers."""
    rows = list(rows)[:12]
    whole = total or sum(n for _, n in rows) or 1
    return draw_bars(Bar(label, n, n / whole) for label, n in rows)


@bp.route("/challenges/<int:challenge_id>/report")
@login_required
def report(challenge_id: int):
    challenge = _challenge(challenge_id)
    _staff_of(challenge)
    found = voices.challenge_voices(challenge)
    labels = challenge_logic.stage_labels(challenge.community_id)
    counts = pipeline.stage_counts(challenge)
    people = found.participants.people
    charts = {
        "stages": bar_chart([(labels[s], n) for s, n in counts.items()]),
        "organisations": bar_chart(found.participants.organisations, people),
        "sectors": bar_chart(found.participants.sectors, people),
        "professions": bar_chart(found.participants.professions, people),
        "spread": bar_chart([(item.row.idea.title, item.organisations) for item in found.ideas],
                            max(voices.organisation_total(found), 1)),
    }
    return render_template("challenges/report.html", challenge=challenge, voices=found, labels=labels,
                           counts=counts, charts=charts, spread_labels=voices.SPREAD_LABELS,
                           stage_rows=[(labels[s], n) for s, n in counts.items()], across=voices.ACROSS_ORGANISATIONS)


@bp.route("/challenges/<int:challenge_id>/ideas.csv")
@login_required
def ideas_csv(challenge_id: int):
    challenge = _challenge(challenge_id)
    _staff_of(challenge)
    return csv_download(export.ideas_csv(challenge), f"challenge-{challenge.id}-ideas.csv")


@bp.route("/challenges/<int:challenge_id>/seating")
@login_required
def seating(challenge_id: int):
    """Seat the assembly by idea: the groups to keep together, posted into the event's seating form."""
    challenge = _challenge(challenge_id)
    _staff_of(challenge)
    event = challenge.event
    sizes = SeatingSizeForm(request.args)
    sizes.validate()
    if event is None or event.status == "cancelled":
        return render_template("challenges/seating.html", challenge=challenge, event=None, groups=[], sizes=sizes,
                               tables="", source="confirmed")
    size = (sizes.size.data if not sizes.size.errors else None) or _table_size(event) or 10
    if sizes.size.data is None or sizes.size.errors:
        sizes.size.data = size
    source = "checked_in" if plans.people_to_seat(event, "checked_in") else "confirmed"
    seatable = plans.people_to_seat(event, source)
    groups = voices.seating_groups(challenge, seatable, size)
    tables = max(1, -(-len(seatable) // size))
    return render_template("challenges/seating.html", challenge=challenge, event=event, groups=groups, sizes=sizes,
                           tables=f"{tables} x {size}", source=source, seatable=len(seatable),
                           together="\n".join(", ".join(m.email for m in g.people) for g in groups))


def _table_size(event: Event) -> int | None:
    layout = event.venue.table_layout if event.venue is not None else None
    return min(layout) if layout else None


# --- Personal links (guests without an account) -------------------------------------------------------


@bp.route("/take-part/<token>")
@token_guesses
def take_part(token: str):
    """A personal link from a mail: this browser may take part as its person until the link is revoked."""
    link = challenge_logic.link_for_token(token) or abort(404)
    links = dict(session.get(LINKS_IN_SESSION) or {})
    links[str(link.challenge_id)] = link.token_hash
    session[LINKS_IN_SESSION] = links
    idea_id = request.args.get("idea", type=int)
    if idea_id:
        found = db.session.get(Idea, idea_id)
        if found is not None and found.challenge_id == link.challenge_id:
            return redirect(url_for("challenges.idea", idea_id=found.id))
    return redirect(url_for("challenges.show", challenge_id=link.challenge_id))


@bp.route("/challenges/<int:challenge_id>/links", methods=["GET", "POST"])
@login_required
def links(challenge_id: int):
    """Who holds personal links; send one to someone in the community (a guest without an account)."""
    challenge = _challenge(challenge_id)
    _staff_of(challenge, MANAGERS)
    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            abort(400)
        membership = members.member_by_email(challenge.community, request.form.get("email", ""))
        if challenge.audience != "link":
            flash("This challenge is for members who sign in: it takes no personal links.")
        elif membership is None or membership.person.is_erased:
            flash("Nobody in this community has that address: add them to the community first.")
        else:
            mail_participation_link(challenge, membership.person)
            db.session.commit()
            flash(f"A personal link has been sent to {membership.person.name}.")
        return redirect(url_for("challenges.links", challenge_id=challenge.id))
    return render_template("challenges/links.html", challenge=challenge, holders=challenge_logic.links_of(challenge),
                           confirm_form=ConfirmForm())


@bp.route("/challenges/<int:challenge_id>/links/<int:person_id>/revoke", methods=["POST"])
@login_required
def revoke_links(challenge_id: int, person_id: int):
    challenge = _challenge(challenge_id)
    _staff_of(challenge, MANAGERS)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    revoked = challenge_logic.revoke_links(challenge, person_id)
    db.session.commit()
    flash(f"{revoked} personal {'link' if revoked == 1 else 'links'} no longer {'works' if revoked == 1 else 'work'}.")
    return redirect(url_for("challenges.links", challenge_id=challenge.id))


# --- My ideas -----------------------------------------------------------------------------------------


@bp.route("/my-ideas")
@login_required
def my_ideas():
    rows = idea_logic.ideas_of_person(current_user.person)
    challenges = {c.id: c for c in db.session.execute(
        select(Challenge).where(Challenge.id.in_({r.idea.challenge_id for r in rows}))).scalars()}
    labels = {cid: challenge_logic.stage_labels(c.community_id) for cid, c in challenges.items()}
    return render_template("challenges/my_ideas.html", rows=rows, challenges=challenges, labels=labels,
                           progress=idea_logic.progress)
