"""Loading a community's report data: a fixed number of queries however many events it has.

The reports read each held event's kept figures (cop.reports.store: checked by a fingerprint, computed
again only when stale) and count people once each with one grouped query, so a view reads a handful of
rows per event and per person, never the whole history of check-ins and seats. Computing figures again
loads the records: the events (one query), everyone checked in at them with their organisation (one), the
seating plans in use with their seats (two), and the events' themes (one), through the owning features' functions.
"""
from dataclasses import replace

from sqlalchemy import func, select

from cop.communities.models import Community, Membership
from cop.door.check_in import checked_in_at
from cop.events.listing import events_held
from cop.events.models import Attendance, Event, Theme
from cop.extensions import db
from cop.feedback.results import follow_up_pairs
from cop.invitations.channels import arrivals
from cop.people.models import PROFESSIONS, SECTORS, Organisation
from cop.reports import figures, store
from cop.seating.plans import score_lines_in_use, seatings_in_use


def _attendee(person_id, organisation_id, organisation, sector, profession, place) -> figures.Attendee:
    return figures.Attendee(person_id=person_id, organisation_id=organisation_id, organisation=organisation or "",
                            sector=SECTORS.get(sector, sector) if sector else "",
                            profession=PROFESSIONS.get(profession, profession) if profession else "",
                            place=place or "")


def attendees_at(event_ids: list[int]) -> dict[int, list[figures.Attendee]]:
    """Everyone checked in at these events, as the community records them: one query."""
    attendees: dict[int, list[figures.Attendee]] = {event_id: [] for event_id in event_ids}
    for row in checked_in_at(event_ids):
        attendees[row.event_id].append(_attendee(row.person_id, row.organisation_id, row.organisation, row.sector,
                                                 row.profession, row.place))
    return attendees


def event_records(community: Community, up_to: Event | None = None) -> list[figures.EventRecord]:
    """The community's events that have begun (or up to `up_to`), as plain records, oldest first."""
    return records_of(events_held(community, up_to))


def records_of(events: list[Event]) -> list[figures.EventRecord]:
    """These events (in date order) as plain records, with their attendees and plans in use: four queries."""
    ids = [event.id for event in events]
    attendees = attendees_at(ids)
    seatings = seatings_in_use(ids)
    themes = themes_of_events(ids)
    records = []
    for event in events:
        seating = seatings.get(event.id)
        records.append(figures.EventRecord(
            event_id=event.id, title=event.title, starts_at=event.starts_at, attendees=tuple(attendees[event.id]),
            theme=themes.get(event.id, ""),
            seating=None if seating is None else figures.Seating(
                tables=tuple(seating.tables),
                rounds=tuple(tuple(tuple(table) for table in tables) for tables in seating.rounds)),
        ))
    return records


def themes_of_events(event_ids: list[int]) -> dict[int, str]:
    """Each event's theme of the year (its name), for those that carry one: one query."""
    if not event_ids:
        return {}
    query = select(Event.id, Theme.name).join(Theme, Theme.id == Event.theme_id).where(Event.id.in_(event_ids))
    return dict(db.session.execute(query).tuples().all())


def people_attendances(community: Community, event_ids: list[int]) -> list[figures.PersonAttendances]:
    """Everyone who came to these events of the community, once each, with how many of them they came to:
    one grouped query (a row per person, however many events)."""
    if not event_ids:
        return []
    rows = db.session.execute(
        select(Attendance.person_id, Membership.organisation_id, Organisation.name, Organisation.sector,
               Membership.profession, Organisation.place, func.count(Attendance.id))
        .outerjoin(Membership, (Membership.person_id == Attendance.person_id)
                   & (Membership.community_id == community.id))
        .outerjoin(Organisation, Organisation.id == Membership.organisation_id)
        .where(Attendance.event_id.in_(event_ids))
        .group_by(Attendance.person_id, Membership.organisation_id, Organisation.name, Organisation.sector,
                  Membership.profession, Organisation.place)
        .order_by(Attendance.person_id)
    ).all()
    return [figures.PersonAttendances(_attendee(pid, organisation_id if name is not None else None, name, sector,
                                                profession, place), count)
            for pid, organisation_id, name, sector, profession, place, count in rows]


def theme_people(community: Community, event_ids: list[int]) -> dict[str, tuple[int, int]]:
    """Each theme's distinct people and organisations at these events ("No theme" for events without): one query."""
    if not event_ids:
        return {}
    rows = db.session.execute(
        select(Theme.name, func.count(Attendance.person_id.distinct()),
               func.count(Membership.organisation_id.distinct()))
        .select_from(Attendance).join(Event, Event.id == Attendance.event_id)
        .outerjoin(Theme, Theme.id == Event.theme_id)
        .outerjoin(Membership, (Membership.person_id == Attendance.person_id)
                   & (Membership.community_id == community.id))
        .where(Attendance.event_id.in_(event_ids)).group_by(Theme.name)
    ).all()
    return {name or figures.NO_THEME: (people, organisations) for name, people, organisations in rows}


def _bare_records(events: list[Event]) -> list[figures.EventRecord]:
    themes = themes_of_events([event.id for event in events])
    return [figures.EventRecord(event_id=event.id, title=event.title, starts_at=event.starts_at, attendees=(),
                                theme=themes.get(event.id, "")) for event in events]


class CommunityReport:
    """The community report's figures and its channels and follow-ups, from kept figures (see module docstring)."""

    def __init__(self, community: Community, with_links: bool = False, compute_limit: int | None = None) -> None:
        events = events_held(community)
        ids = [event.id for event in events]
        prints = store.fingerprints(events)
        stale = store.keep(events, lambda: records_of(events), prints, compute_limit)
        rebuilt = store.keep_network(community.id, ids, prints[ids[-1]] if ids else "")
        self.computed = bool(stale) or rebuilt
        kept = store.kept_data(ids)
        self.people = people_attendances(community, ids)
        names = {p.attendee.organisation_id: p.attendee.organisation for p in self.people
                 if p.attendee.organisation_id is not None}
        records = _bare_records(events)
        links: dict[int, list] = {event_id: [] for event_id in ids}
        if with_links:  # the CSV: every event's breakdowns and organisation pairs too
            attendees = attendees_at(ids)
            records = [replace(record, attendees=tuple(attendees[record.event_id])) for record in records]
            links = store.event_links(ids)
        events_figures = [figures.from_kept(record, kept[record.event_id], names, links[record.event_id])
                          for record in records]
        count, person_pairs = store.network_counts(community.id)
        sectors = [(SECTORS.get(a, a) if a else figures.NOT_RECORDED, SECTORS.get(b, b) if b else figures.NOT_RECORDED,
                    o, p) for a, b, o, p in store.links_by_sector(community.id)]
        network = figures.summary_of(count, person_pairs, store.heaviest_links(community.id, figures.CHART_LINKS),
                                     sectors, names)
        self.figures = figures.community_from_kept(events_figures, self.people, theme_people(community, ids), network,
                                                   store.network_links(community.id) if with_links else None)
        self.channels = figures.add_channels(figures.kept_channels(kept[event_id]) for event_id in ids)
        organisation_of = {p.attendee.person_id: p.attendee.organisation_id for p in self.people}
        self.follow_ups = figures.follow_up_figures(follow_up_pairs(ids), organisation_of)
        self.event_ids = ids


def community_report(community: Community) -> figures.CommunityFigures:
    """All of the community report's figures, the organisation pairs by name (the CSV's) included."""
    return CommunityReport(community, with_links=True).figures


class EventReport:
    """One event's report from its kept figures (judged against the community's earlier events), with its own
    attendees read for the breakdowns."""

    def __init__(self, event: Event, compute_limit: int | None = None) -> None:
        events = events_held(event.community, up_to=event)
        self.computed = store.keep(events, lambda: records_of(events), compute_limit=compute_limit)
        kept = store.kept_data([event.id])[event.id]
        attendees = attendees_at([event.id])[event.id]
        record = figures.EventRecord(event_id=event.id, title=event.title, starts_at=event.starts_at,
                                     attendees=tuple(attendees), theme=themes_of_events([event.id]).get(event.id, ""))
        names = {a.organisation_id: a.organisation for a in attendees if a.organisation_id is not None}
        self.figure = figures.from_kept(record, kept, names, store.event_links([event.id])[event.id])
        self.channels = figures.add_channels([figures.kept_channels(kept)])
        self.follow_ups = follow_ups([record])
        self.sectors = {a.organisation_id: a.sector for a in attendees if a.organisation_id is not None}
        self.network = figures.network_summary(self.figure.id_links, names, self.sectors,
                                               new_organisation_pairs=self.figure.new_organisation_pairs)


def event_report(event: Event) -> figures.EventFigures:
    """The event's figures, judged against the community's earlier events."""
    return EventReport(event).figure


def plan_score_lines(event: Event) -> list[tuple[str, str]]:
    """The seating plan's score, in the seating page's words and numbers (its panel)."""
    return score_lines_in_use(event)


def follow_ups_for(records: list[figures.EventRecord], pairs) -> figures.FollowUps:
    """Follow-up intentions at these events: `pairs` of (answering person id or None, chosen person id),
    as cop.feedback.results.follow_up_pairs(event_ids) gives them. Both people were checked in (the form
    offers the people present), so the records know their organisations."""
    organisation_of = {a.person_id: a.organisation_id for record in records for a in record.attendees}
    return figures.follow_up_figures(pairs, organisation_of)


def follow_ups(records: list[figures.EventRecord]) -> figures.FollowUps:
    """Follow-up intentions from the feedback answers at these events."""

    return follow_ups_for(records, follow_up_pairs([record.event_id for record in records]))


def channels(records: list[figures.EventRecord], counted: set[int] | None = None) -> list[figures.ChannelRow]:
    """Reached, said yes, came and new organisations by channel (invitation, trusted member, each shared
    link), for the events in `counted` (None: all the records)."""

    return figures.channel_figures(records, arrivals([record.event_id for record in records]), counted)
