"""The pipeline: staff move ideas between stages with a public reason, merge duplicates, hide and show ideas
and comments (each kept in the moderation log), and the people following an idea are told when it moves.

Who is told: the author and everyone who supported or commented (not the person who moved it). Someone
following only a few of the challenge's ideas gets one mail per move at once; someone following more
than CHALLENGE_DIGEST_FOLLOWING gets their moves together in one digest (send_idea_digests, run with
the reminders). Mail goes through the outbox in the same transaction as the move.

Logic only: no request. Functions flush; the view or command commits.
"""
from collections import defaultdict

from flask import current_app, render_template
from sqlalchemy import delete, func, select, update

from cop.challenges import challenges as challenge_logic
from cop.challenges.models import (
    STAGES,
    Challenge,
    Idea,
    IdeaComment,
    IdeaMove,
    IdeaSupport,
    ModerationEntry,
    PendingNotice,
)
from cop.clock import utcnow
from cop.extensions import db, rows_changed
from cop.links import external_url
from cop.mail.outbox import queue_mail
from cop.people.models import Person, erased_clause


class PipelineRefused(ValueError):
    """A move, merge or hiding that cannot be made; the message says why."""


# --- Moving -------------------------------------------------------------------------------------------


def move_idea(idea: Idea, stage: str, reason: str, by: Person | None) -> IdeaMove:
    if stage not in STAGES:
        raise PipelineRefused("Choose a stage")
    if stage == idea.stage:
        raise PipelineRefused("The idea is already at that stage")
    if not reason.strip():
        raise PipelineRefused("Give the reason for the move: everyone following the idea reads it")
    if idea.merged_into_id is not None:
        raise PipelineRefused("This idea was merged into another: move that one")
    move = IdeaMove(idea_id=idea.id, from_stage=idea.stage, to_stage=stage, reason=reason.strip(),
                    by_id=by.id if by else None, at=utcnow())
    idea.stage = stage
    idea.moved_at = move.at
    db.session.add(move)
    db.session.flush()
    tell_followers(idea, move, by)
    return move


def followers(idea: Idea) -> list[Person]:
    """The author and everyone who supported or commented on the idea (erased people left out)."""
    ids = {idea.author_id}
    ids.update(db.session.execute(select(IdeaSupport.person_id).where(IdeaSupport.idea_id == idea.id)).scalars())
    ids.update(db.session.execute(select(IdeaComment.author_id).where(IdeaComment.idea_id == idea.id)).scalars())
    return list(db.session.execute(select(Person).where(Person.id.in_(ids), ~erased_clause())
                                   .order_by(Person.id)).scalars())


def following_counts(challenge_id: int, person_ids) -> dict[int, int]:
    """person id -> how many of the challenge's ideas they follow (gave, supported or commented on)."""
    ids = list(person_ids)
    if not ids:
        return {}
    in_challenge = select(Idea.id).where(Idea.challenge_id == challenge_id)
    pairs = set(db.session.execute(select(Idea.author_id, Idea.id).where(
        Idea.challenge_id == challenge_id, Idea.author_id.in_(ids))).all())
    pairs.update(db.session.execute(select(IdeaSupport.person_id, IdeaSupport.idea_id).where(
        IdeaSupport.idea_id.in_(in_challenge), IdeaSupport.person_id.in_(ids))).all())
    pairs.update(db.session.execute(select(IdeaComment.author_id, IdeaComment.idea_id).where(
        IdeaComment.idea_id.in_(in_challenge), IdeaComment.author_id.in_(ids))).all())
    counts: dict[int, int] = defaultdict(int)
    for person_id, _idea_id in pairs:
        counts[person_id] += 1
    return counts


def tell_followers(idea: Idea, move: IdeaMove, by: Person | None) -> None:
    people = [p for p in followers(idea) if by is None or p.id != by.id]
    threshold = current_app.config["CHALLENGE_DIGEST_FOLLOWING"]
    counts = following_counts(idea.challenge_id, [p.id for p in people])
    for person in people:
        if counts.get(person.id, 0) > threshold:
            db.session.add(PendingNotice(person_id=person.id, move_id=move.id))
        else:
            _mail_moves(person, idea.challenge, [(idea, move)])
    db.session.flush()


def _idea_link(challenge: Challenge, idea: Idea, person: Person) -> str:
    """A link to the idea for this person: a personal link when the challenge takes them (guests have no
    account), otherwise the page, for which they sign in."""
    if challenge.audience == "link":
        token = challenge_logic.new_participation_link(challenge, person)
        return external_url("challenges.take_part", token=token, idea=idea.id)
    return external_url("challenges.idea", idea_id=idea.id)


def _mail_moves(person: Person, challenge: Challenge, moves: list[tuple[Idea, IdeaMove]]) -> None:
    labels = challenge_logic.stage_labels(challenge.community_id)
    items = [{"idea": idea, "move": move, "from": labels[move.from_stage], "to": labels[move.to_stage],
              "link": _idea_link(challenge, idea, person), "yours": idea.author_id == person.id}
             for idea, move in moves]
    if len(moves) == 1:
        idea, move = moves[0]
        whose = "Your idea" if idea.author_id == person.id else "An idea you follow"
        subject = f"{whose} is now “{labels[move.to_stage]}”: {idea.title}"
    else:
        subject = f"{len(items)} ideas you follow have moved: {challenge.title}"
    values = {"person": person, "challenge": challenge, "items": items,
              "my_ideas": external_url("challenges.my_ideas")}
    queue_mail(recipient=person.email, subject=subject,
               text_body=render_template("challenges/mail/moves.txt", **values),
               html_body=render_template("challenges/mail/moves.html", **values),
               community_id=challenge.community_id)


def send_idea_digests() -> int:
    """One mail per person with waiting notices, listing every move since their last digest; returns how
    many mails were queued. Commits (so that a second run at once sends nothing twice)."""
    notices = db.session.execute(select(PendingNotice).order_by(PendingNotice.person_id, PendingNotice.id)
                                 .with_for_update(skip_locked=True)).scalars().all()
    by_person: dict[tuple[int, int], list[PendingNotice]] = defaultdict(list)
    for notice in notices:
        idea = db.session.get_one(Idea, notice.move.idea_id)
        by_person[(notice.person_id, idea.challenge_id)].append(notice)
    sent = 0
    for (person_id, challenge_id), waiting in by_person.items():
        person = db.session.get_one(Person, person_id)
        if not person.is_erased:
            moves = [(db.session.get_one(Idea, n.move.idea_id), n.move) for n in waiting]
            _mail_moves(person, db.session.get_one(Challenge, challenge_id), moves)
            sent += 1
        for notice in waiting:
            db.session.delete(notice)
    db.session.commit()
    return sent


# --- Merging ------------------------------------------------------------------------------------------


def merge_ideas(duplicate: Idea, into: Idea, reason: str, by: Person | None) -> int:
    """Merge a duplicate into another idea of the same challenge: its supports (without doubling anyone's)
    and comments move there, and it is listed no more. Returns how many supports moved."""
    if duplicate.id == into.id or into.challenge_id != duplicate.challenge_id:
        raise PipelineRefused("Choose another idea of this challenge to merge into")
    if duplicate.merged_into_id is not None or into.merged_into_id is not None:
        raise PipelineRefused("One of these ideas has already been merged")
    if not reason.strip():
        raise PipelineRefused("Give the reason for merging: the people following the idea read it")
    already = select(IdeaSupport.person_id).where(IdeaSupport.idea_id == into.id)
    db.session.execute(delete(IdeaSupport).where(IdeaSupport.idea_id == duplicate.id,
                                                  IdeaSupport.person_id.in_(already))
                       .execution_options(synchronize_session=False))
    moved = rows_changed(update(IdeaSupport).where(IdeaSupport.idea_id == duplicate.id)
                         .values(idea_id=into.id).execution_options(synchronize_session=False))
    db.session.execute(update(IdeaComment).where(IdeaComment.idea_id == duplicate.id)
                       .values(idea_id=into.id).execution_options(synchronize_session=False))
    duplicate.merged_into_id = into.id
    db.session.add(ModerationEntry(challenge_id=duplicate.challenge_id, idea_id=duplicate.id,
                                   other_idea_id=into.id, action="merge", reason=reason.strip(),
                                   by_id=by.id if by else None))
    db.session.flush()
    db.session.expire_all()
    return moved


# --- Hiding -------------------------------------------------------------------------------------------


def hide_idea(idea: Idea, reason: str, by: Person | None) -> None:
    if not reason.strip():
        raise PipelineRefused("Give the reason for hiding the idea")
    idea.hidden_reason = reason.strip()
    db.session.add(ModerationEntry(challenge_id=idea.challenge_id, idea_id=idea.id, action="hide",
                                   reason=reason.strip(), by_id=by.id if by else None))
    db.session.flush()


def show_idea(idea: Idea, reason: str, by: Person | None) -> None:
    idea.hidden_reason = None
    db.session.add(ModerationEntry(challenge_id=idea.challenge_id, idea_id=idea.id, action="show",
                                   reason=reason.strip() or "Shown again", by_id=by.id if by else None))
    db.session.flush()


def hide_comment(comment: IdeaComment, reason: str, by: Person | None) -> None:
    if not reason.strip():
        raise PipelineRefused("Give the reason for hiding the comment")
    comment.hidden_reason = reason.strip()
    db.session.add(ModerationEntry(challenge_id=comment.idea.challenge_id, idea_id=comment.idea_id,
                                   comment_id=comment.id, action="hide", reason=reason.strip(),
                                   by_id=by.id if by else None))
    db.session.flush()


def moderation_log(challenge: Challenge) -> list[ModerationEntry]:
    return list(db.session.execute(select(ModerationEntry).where(ModerationEntry.challenge_id == challenge.id)
                                   .order_by(ModerationEntry.at.desc(), ModerationEntry.id.desc())).scalars())


def stage_counts(challenge: Challenge) -> dict[str, int]:
    rows = dict(db.session.execute(select(Idea.stage, func.count(Idea.id)).where(
        Idea.challenge_id == challenge.id, Idea.merged_into_id.is_(None), Idea.hidden_reason.is_(None))
        .group_by(Idea.stage)).tuples().all())
    return {stage: rows.get(stage, 0) for stage in STAGES}


