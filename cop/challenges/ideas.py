"""Ideas: giving one, commenting and replying (one level), supporting once, and finding them.

Logic only: no request, no templates. Functions flush; the view commits.
"""
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from cop.challenges.models import STAGES, Challenge, Idea, IdeaComment, IdeaMove, IdeaSupport
from cop.clock import utcnow
from cop.extensions import db
from cop.people.models import Person

SORTS = {"newest": "Newest", "supported": "Most supported", "discussed": "Most discussed"}
ANONYMOUS_NAME = "Anonymous"


class ClosedForIdeas(ValueError):
    """The challenge is not open: nothing is taken."""


def _require_open(challenge: Challenge) -> None:
    if not challenge.is_open(utcnow()):
        raise ClosedForIdeas("This challenge is not open for ideas, comments or support now")


def submit_idea(challenge: Challenge, author: Person, title: str, description: str, anonymous: bool) -> Idea:
    _require_open(challenge)
    idea = Idea(challenge_id=challenge.id, author_id=author.id, title=title.strip(),
                description=description.strip(), anonymous=bool(anonymous and challenge.allow_anonymous))
    db.session.add(idea)
    db.session.flush()
    return idea


def add_comment(idea: Idea, author: Person, body: str, parent_id: int | None = None) -> IdeaComment:
    """A comment, or a reply to a top-level comment of the same idea (a reply to a reply answers its parent)."""
    _require_open(idea.challenge)
    if not idea.is_listed:
        raise ClosedForIdeas("This idea takes no more comments")
    parent = db.session.get(IdeaComment, parent_id) if parent_id else None
    if parent is not None and parent.idea_id != idea.id:
        parent = None
    if parent is not None and parent.parent_id is not None:
        parent = db.session.get(IdeaComment, parent.parent_id)
    comment = IdeaComment(idea_id=idea.id, author_id=author.id, body=body.strip(),
                          parent_id=parent.id if parent else None)
    db.session.add(comment)
    db.session.flush()
    return comment


def supports(idea: Idea, person: Person) -> bool:
    return db.session.execute(select(IdeaSupport.id).where(
        IdeaSupport.idea_id == idea.id, IdeaSupport.person_id == person.id)).first() is not None


def support(idea: Idea, person: Person) -> bool:
    """Support the idea once; True if this added a support (a second click, or a double submit, adds none)."""
    _require_open(idea.challenge)
    if not idea.is_listed:
        raise ClosedForIdeas("This idea takes no more support")
    if supports(idea, person):
        return False
    try:
        with db.session.begin_nested():
            db.session.add(IdeaSupport(idea_id=idea.id, person_id=person.id))
    except IntegrityError:  # the same person's other request got there first
        return False
    return True


def withdraw_support(idea: Idea, person: Person) -> bool:
    _require_open(idea.challenge)
    row = db.session.execute(select(IdeaSupport).where(
        IdeaSupport.idea_id == idea.id, IdeaSupport.person_id == person.id)).scalar_one_or_none()
    if row is None:
        return False
    db.session.delete(row)
    db.session.flush()
    return True


# --- Finding ideas ----------------------------------------------------------------------------------


@dataclass
class IdeaRow:
    idea: Idea
    supporters: int
    comments: int
    supported_by_viewer: bool = False


@dataclass
class IdeaFilter:
    search: str = ""
    stage: str = ""
    sort: str = "newest"


def _support_counts():
    return (select(IdeaSupport.idea_id, func.count(IdeaSupport.id).label("n"))
            .group_by(IdeaSupport.idea_id).subquery())


def _comment_counts():
    return (select(IdeaComment.idea_id, func.count(IdeaComment.id).label("n"))
            .where(IdeaComment.hidden_reason.is_(None)).group_by(IdeaComment.idea_id).subquery())


def find_ideas(challenge: Challenge, wanted: IdeaFilter, viewer: Person | None = None,
               include_hidden: bool = False) -> list[IdeaRow]:
    """The challenge's ideas matching the search and stage, in the order asked. Merged duplicates are never
    listed (their supports and comments moved); hidden ones only for staff (include_hidden)."""
    supports_n, comments_n = _support_counts(), _comment_counts()
    n_supports = func.coalesce(supports_n.c.n, 0)
    n_comments = func.coalesce(comments_n.c.n, 0)
    query = (select(Idea, n_supports, n_comments)
             .outerjoin(supports_n, supports_n.c.idea_id == Idea.id)
             .outerjoin(comments_n, comments_n.c.idea_id == Idea.id)
             .where(Idea.challenge_id == challenge.id, Idea.merged_into_id.is_(None)))
    if not include_hidden:
        query = query.where(Idea.hidden_reason.is_(None))
    if wanted.stage in STAGES:
        query = query.where(Idea.stage == wanted.stage)
    if wanted.search.strip():
        like = f"%{wanted.search.strip().lower()}%"
        query = query.where(or_(func.lower(Idea.title).like(like), func.lower(Idea.description).like(like)))
    order = {"supported": (n_supports.desc(), Idea.created_at.desc()),
             "discussed": (n_comments.desc(), Idea.created_at.desc())}.get(wanted.sort, ())
    query = query.order_by(*order, Idea.created_at.desc(), Idea.id.desc())
    rows = [IdeaRow(idea, s, c) for idea, s, c in db.session.execute(query).all()]
    if viewer is not None and rows:
        mine = set(db.session.execute(select(IdeaSupport.idea_id).where(
            IdeaSupport.person_id == viewer.id, IdeaSupport.idea_id.in_([r.idea.id for r in rows]))).scalars())
        for row in rows:
            row.supported_by_viewer = row.idea.id in mine
    return rows


def support_count(idea: Idea) -> int:
    return db.session.execute(select(func.count(IdeaSupport.id)).where(IdeaSupport.idea_id == idea.id)).scalar_one()


def supporter_ids(idea_ids) -> dict[int, list[int]]:
    ids = list(idea_ids)
    found: dict[int, list[int]] = {i: [] for i in ids}
    if ids:
        for idea_id, person_id in db.session.execute(select(IdeaSupport.idea_id, IdeaSupport.person_id).where(
                IdeaSupport.idea_id.in_(ids)).order_by(IdeaSupport.id)).all():
            found[idea_id].append(person_id)
    return found


@dataclass
class Thread:
    comment: IdeaComment
    replies: list[IdeaComment] = field(default_factory=list)


def threads(idea: Idea) -> list[Thread]:
    """Top-level comments, oldest first, each with its replies."""
    comments = db.session.execute(select(IdeaComment).where(IdeaComment.idea_id == idea.id)
                                  .order_by(IdeaComment.created_at, IdeaComment.id)).scalars().all()
    tops = {c.id: Thread(c) for c in comments if c.parent_id is None}
    for comment in comments:
        if comment.parent_id is not None and comment.parent_id in tops:
            tops[comment.parent_id].replies.append(comment)
    return list(tops.values())


def moves_of(idea: Idea) -> list[IdeaMove]:
    return list(db.session.execute(select(IdeaMove).where(IdeaMove.idea_id == idea.id)
                                   .order_by(IdeaMove.at, IdeaMove.id)).scalars())


def author_shown(idea: Idea, staff: bool, viewer: Person | None = None) -> str:
    """The author's name as this viewer sees it: an anonymous idea names nobody to other participants."""
    if not idea.anonymous:
        return idea.author.name
    if staff:
        return f"{idea.author.name} (anonymous to participants)"
    if viewer is not None and viewer.id == idea.author_id:
        return f"{ANONYMOUS_NAME} (you)"
    return ANONYMOUS_NAME


# --- A person's own ideas -----------------------------------------------------------------------------


@dataclass
class MyIdea:
    idea: Idea
    supporters: int
    comments: int
    last_move: IdeaMove | None
    relation: str  # "yours", "supported", "commented"


def ideas_of_person(person: Person, challenge_id: int | None = None) -> list[MyIdea]:
    """The ideas a person gave, supported or commented on, with where each has got to."""
    given = select(Idea.id).where(Idea.author_id == person.id)
    backed = select(IdeaSupport.idea_id).where(IdeaSupport.person_id == person.id)
    discussed = select(IdeaComment.idea_id).where(IdeaComment.author_id == person.id)
    query = select(Idea).where(or_(Idea.id.in_(given), Idea.id.in_(backed), Idea.id.in_(discussed)))
    if challenge_id is not None:
        query = query.where(Idea.challenge_id == challenge_id)
    ideas = db.session.execute(query.order_by(Idea.created_at.desc(), Idea.id.desc())).scalars().all()
    if not ideas:
        return []
    ids = [i.id for i in ideas]
    backed_ids = set(db.session.execute(backed).scalars())
    counts = dict(db.session.execute(select(IdeaSupport.idea_id, func.count(IdeaSupport.id))
                                     .where(IdeaSupport.idea_id.in_(ids)).group_by(IdeaSupport.idea_id)).tuples().all())
    comment_counts = dict(db.session.execute(
        select(IdeaComment.idea_id, func.count(IdeaComment.id))
        .where(IdeaComment.idea_id.in_(ids), IdeaComment.hidden_reason.is_(None))
        .group_by(IdeaComment.idea_id)).tuples().all())
    last_moves: dict[int, IdeaMove] = {}
    for move in db.session.execute(select(IdeaMove).where(IdeaMove.idea_id.in_(ids))
                                   .order_by(IdeaMove.at, IdeaMove.id)).scalars():
        last_moves[move.idea_id] = move
    return [MyIdea(idea, counts.get(idea.id, 0), comment_counts.get(idea.id, 0), last_moves.get(idea.id),
                   "yours" if idea.author_id == person.id else "supported" if idea.id in backed_ids else "commented")
            for idea in ideas]


def progress(stage: str) -> tuple[int, int]:
    """(step, of): how far along the pipeline a stage is; "not taken forward" ends it at the adopted step."""
    order = [s for s in STAGES if s != "not_taken_forward"]
    step = order.index("adopted") + 1 if stage == "not_taken_forward" else order.index(stage) + 1
    return step, len(order)
