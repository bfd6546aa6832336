"""Each held event's figures, computed once and kept (cop.reports.models.EventFigures), then reused.

Whether kept figures still hold is decided by a fingerprint of their inputs, read with a fixed number of
aggregate queries (however many events): per event, the check-ins with each attendee's organisation in
the community, the seating plan in use (its id, its tables and rounds, and its seats), the live
invitations by channel, and the fingerprint of the event before it (the "new" figures judge each event
against all the earlier ones, so a change at one event makes every later one stale too). Adding or
undoing a check-in, re-generating or editing a plan, erasing a person, moving someone to another
organisation, revoking an invitation or cancelling an event all change it. The fingerprint is a checksum
(counts and sums of ids and products of ids): two different inputs giving the same sums at the same
event would be needed to miss a change. FIGURES_VERSION changes when the figures' definitions do.

When any held event's figures are missing or stale, the whole history is read once (as before, a fixed
number of queries), every event is computed in date order, and the stale rows are replaced: the first view
after a change pays for it, the next ones read what was kept; past REPORT_UPDATE_IN_BACKGROUND_OVER
attendances that first view hands the work to a job instead (cop.reports.update_job). Functions here flush;
the view commits.
"""
import hashlib
import json

from sqlalchemy import BigInteger, case, cast, delete, func, insert, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from cop.clock import utcnow
from cop.communities.models import Membership
from cop.events.models import Attendance, Event
from cop.extensions import db
from cop.invitations.channels import arrivals
from cop.invitations.models import Invitation
from cop.people.models import Organisation
from cop.reports import figures
from cop.reports.models import CommunityNetwork, EventFigures, EventLink, NetworkLink
from cop.seating.models import IN_USE, Seat, SeatingPlan

FIGURES_VERSION = 1


def _big(value):
    return cast(value, BigInteger)


def _ints(row) -> tuple:
    return tuple(None if value is None else int(value) for value in row)


def fingerprints(events: list[Event]) -> dict[int, str]:
    """Each event's fingerprint (see the module's docstring), for `events` in date order: four queries."""
    ids = [event.id for event in events]
    if not ids:
        return {}
    organisation = func.coalesce(Membership.organisation_id, 0) + 1
    attendance = {row[0]: _ints(row[1:]) for row in db.session.execute(
        select(Attendance.event_id, func.count(Attendance.id), func.sum(Attendance.id),
               func.sum(_big(Attendance.person_id) * organisation),
               func.sum(_big(organisation) * organisation * (Attendance.person_id % 9973 + 1)))
        .join(Event, Event.id == Attendance.event_id)
        .outerjoin(Membership, (Membership.person_id == Attendance.person_id)
                   & (Membership.community_id == Event.community_id))
        .where(Attendance.event_id.in_(ids)).group_by(Attendance.event_id))}
    plans: dict[int, list] = {}
    plan_ids = {}
    for plan_id, event_id, settings in db.session.execute(
            select(SeatingPlan.id, SeatingPlan.event_id, SeatingPlan.settings)
            .where(SeatingPlan.event_id.in_(ids), SeatingPlan.status.in_(IN_USE))):
        plans.setdefault(event_id, []).append([plan_id, json.dumps(settings or {}, sort_keys=True)])
        plan_ids[plan_id] = event_id
    seats = {}
    if plan_ids:
        seats = {row[0]: _ints(row[1:]) for row in db.session.execute(
            select(Seat.plan_id, func.count(Seat.id), func.sum(Seat.id),
                   func.sum(_big(Seat.person_id) * (Seat.round * 1009 + Seat.table)),
                   func.sum(_big(Seat.person_id) * Seat.person_id * (Seat.table + Seat.round * 101)))
            .where(Seat.plan_id.in_(list(plan_ids))).group_by(Seat.plan_id))}
    invitations: dict[int, list] = {}
    for row in db.session.execute(
            select(Invitation.event_id, Invitation.channel, func.count(Invitation.id), func.sum(Invitation.id),
                   func.sum(case((Invitation.answer == "yes", Invitation.person_id), else_=0)),
                   func.sum(case((Invitation.invited_by_id.is_(None), 0), else_=Invitation.id)))
            .where(Invitation.event_id.in_(ids), Invitation.is_live)
            .group_by(Invitation.event_id, Invitation.channel)):
        invitations.setdefault(row[0], []).append([row[1] or "", *_ints(row[2:])])
    result, previous = {}, str(FIGURES_VERSION)
    for event in events:
        inputs = [previous, event.id, attendance.get(event.id),
                  [[plan, settings, seats.get(plan)] for plan, settings in sorted(plans.get(event.id, []))],
                  sorted(invitations.get(event.id, []))]
        previous = hashlib.sha256(json.dumps(inputs, default=str).encode()).hexdigest()
        result[event.id] = previous
    return result


def _stale(events: list[Event], kept: dict[int, str], prints: dict[int, str]) -> list[int]:
    return [event.id for event in events if kept.get(event.id) != prints[event.id]]


class TooMuchToCompute(Exception):
    """The figures to compute again cover more attendances than a request should take on: a job does it."""


def keep(events: list[Event], records_of, prints: dict[int, str] | None = None,
         compute_limit: int | None = None) -> list[int]:
    """Make sure every one of `events` (a community's held events, in date order, as far as one wants) has
    its figures kept and current; `records_of()` gives the records of those events (all of them, in date
    order) when some must be computed; `prints` their fingerprints if already read. Returns the ids of the
    events computed again (none when all held). With `compute_limit`, raises TooMuchToCompute (writing
    nothing) when some must be computed and the history holds more attendances than that: computing reads
    the whole history (5 s at 150 events of a 5,000-person community), so a request hands it to a job."""
    prints = prints if prints is not None else fingerprints(events)
    kept: dict[int, str] = dict(db.session.execute(
        select(EventFigures.event_id, EventFigures.fingerprint).where(EventFigures.event_id.in_(list(prints))))
        .tuples().all())
    stale = _stale(events, kept, prints)
    if not stale:
        return []
    if compute_limit is not None:
        attendances = db.session.scalar(select(func.count(Attendance.id)).where(Attendance.event_id.in_(list(prints))))
        if (attendances or 0) > compute_limit:
            raise TooMuchToCompute()
    records = records_of()
    history = figures.history(records, arrivals([record.event_id for record in records]))
    wanted = set(stale)
    rows: list[dict] = []
    links: list[dict] = []
    for figure, channels in history:
        event_id = figure.record.event_id
        if event_id in wanted:
            rows.append({"event_id": event_id, "fingerprint": prints[event_id],
                         "data": figures.to_kept(figure, channels), "computed_at": utcnow()})
            links.extend({"event_id": event_id, "organisation_a": a, "organisation_b": b, "pairs": n, "new_pairs": new}
                         for a, b, n, new in figures.link_rows(figure))
    try:
        with db.session.begin_nested():  # another view keeping the same figures at once: theirs stand
            db.session.execute(delete(EventLink).where(EventLink.event_id.in_(stale)))
            db.session.execute(delete(EventFigures).where(EventFigures.event_id.in_(stale)))
            if rows:
                db.session.execute(insert(EventFigures), rows)
            if links:
                db.session.execute(insert(EventLink), links)
    except IntegrityError:
        pass
    return stale


def kept_data(event_ids: list[int]) -> dict[int, dict]:
    """The kept figures of these events (their organisation pairs are apart: event_links, network): one query."""
    if not event_ids:
        return {}
    return dict(db.session.execute(
        select(EventFigures.event_id, EventFigures.data).where(EventFigures.event_id.in_(event_ids))).tuples().all())


def event_links(event_ids: list[int]) -> dict[int, list[tuple[int, int, int, int]]]:
    """Each event's kept organisation pairs, as figures.link_rows gives them: one query."""
    found: dict[int, list[tuple[int, int, int, int]]] = {event_id: [] for event_id in event_ids}
    if event_ids:
        for event_id, a, b, pairs, new_pairs in db.session.execute(
                select(EventLink.event_id, EventLink.organisation_a, EventLink.organisation_b, EventLink.pairs,
                       EventLink.new_pairs).where(EventLink.event_id.in_(event_ids))
                .order_by(EventLink.event_id, EventLink.organisation_a, EventLink.organisation_b)):
            found[event_id].append((a, b, pairs, new_pairs))
    return found


def keep_network(community_id: int, event_ids: list[int], last_fingerprint: str) -> bool:
    """Make sure the community's network (report_network) adds up the kept new pairs of these events, its held
    events, whose last one has this fingerprint (which stands for all of them): added up again, in one
    statement, when it does not. True when it was. Flushes."""
    kept = db.session.execute(select(CommunityNetwork.fingerprint)
                              .where(CommunityNetwork.community_id == community_id)).scalar_one_or_none()
    if kept == last_fingerprint:
        return False
    total = func.sum(EventLink.new_pairs)
    try:
        with db.session.begin_nested():
            db.session.execute(delete(NetworkLink).where(NetworkLink.community_id == community_id))
            db.session.execute(delete(CommunityNetwork).where(CommunityNetwork.community_id == community_id))
            db.session.execute(insert(CommunityNetwork).values(community_id=community_id, fingerprint=last_fingerprint))
            if event_ids:
                db.session.execute(insert(NetworkLink).from_select(
                    ["community_id", "organisation_a", "organisation_b", "pairs"],
                    select(literal(community_id), EventLink.organisation_a, EventLink.organisation_b, total)
                    .where(EventLink.event_id.in_(event_ids))
                    .group_by(EventLink.organisation_a, EventLink.organisation_b).having(total > 0)))
    except IntegrityError:
        pass
    return True


def network_counts(community_id: int) -> tuple[int, int]:
    """(pairs of organisations, pairs of people) in the community's kept network: one query."""
    count, people = db.session.execute(select(func.count(), func.coalesce(func.sum(NetworkLink.pairs), 0))
                                       .where(NetworkLink.community_id == community_id)).one()
    return int(count), int(people)


def heaviest_links(community_id: int, wanted: int) -> dict[tuple[int, int], int]:
    """The `wanted` pairs of organisations with most pairs of people, and any tied with the last: one query."""
    cutoff = (select(NetworkLink.pairs).where(NetworkLink.community_id == community_id)
              .order_by(NetworkLink.pairs.desc()).offset(wanted - 1).limit(1).scalar_subquery())
    rows = db.session.execute(
        select(NetworkLink.organisation_a, NetworkLink.organisation_b, NetworkLink.pairs)
        .where(NetworkLink.community_id == community_id, NetworkLink.pairs >= func.coalesce(cutoff, 0)))
    return {(a, b): n for a, b, n in rows}


def links_by_sector(community_id: int) -> list[tuple[str, str, int, int]]:
    """The network by the two organisations' sectors (codes, "" for none): (sector, sector, pairs of
    organisations, pairs of people), each pair of sectors possibly twice (either way round): one query."""
    first, second = aliased(Organisation), aliased(Organisation)
    rows = db.session.execute(
        select(first.sector, second.sector, func.count(), func.sum(NetworkLink.pairs))
        .select_from(NetworkLink)
        .join(first, first.id == NetworkLink.organisation_a).join(second, second.id == NetworkLink.organisation_b)
        .where(NetworkLink.community_id == community_id)
        .group_by(first.sector, second.sector))
    return [(a or "", b or "", int(o), int(p)) for a, b, o, p in rows]


def network_links(community_id: int) -> dict[tuple[int, int], int]:
    """Every pair of organisations in the community's kept network (the CSV's): one query."""
    return {(a, b): n for a, b, n in db.session.execute(
        select(NetworkLink.organisation_a, NetworkLink.organisation_b, NetworkLink.pairs)
        .where(NetworkLink.community_id == community_id))}
