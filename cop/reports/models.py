"""Each held event's report figures, kept once computed (issue 19).

The figures that depend on the community's history (organisations and table-mate pairs never seen
before) and the costly ones (mixing reach, what the room allowed) are kept per event, keyed by a
fingerprint of everything they were computed from: this event's check-ins with each attendee's
organisation, its seating plan in use with its seats, its live invitations, and the fingerprint of
the event before it. A check-in added later, a plan re-generated, a person erased or moved to
another organisation changes the fingerprint of that event and of every later one, so their kept
figures are no longer used and are computed again (cop.reports.store). No personal data: counts,
organisation ids and channel names only.
"""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from cop.clock import utcnow
from cop.extensions import Model


class EventFigures(Model):
    __tablename__ = "report_event_figures"

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict] = mapped_column(JSON, default=dict)  # the counts, new organisations, channels
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)


class EventLink(Model):
    """Two organisations whose people shared a table at a held event: the pairs of people, and how many of
    them had never shared a table before (kept with the event's figures, so the community's network adds
    up in the database: a row per pair of organisations, however many events)."""

    __tablename__ = "report_event_link"

    event_id: Mapped[int] = mapped_column(ForeignKey("report_event_figures.event_id", ondelete="CASCADE"),
                                          primary_key=True)
    organisation_a: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True)
    organisation_b: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True)
    pairs: Mapped[int]
    new_pairs: Mapped[int]


class CommunityNetwork(Model):
    """A community's network of organisations as of its held events (the fingerprint of the last one): the kept
    new pairs added up once (report_network's rows), so a view reads counts and the heaviest pairs, not every
    event's pairs."""

    __tablename__ = "report_community"

    community_id: Mapped[int] = mapped_column(ForeignKey("community.id", ondelete="CASCADE"), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))


class NetworkLink(Model):
    """Two organisations whose people have shared a table at the community's events: the distinct pairs of people."""

    __tablename__ = "report_network"

    community_id: Mapped[int] = mapped_column(ForeignKey("report_community.community_id", ondelete="CASCADE"),
                                              primary_key=True)
    organisation_a: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True)
    organisation_b: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True)
    pairs: Mapped[int]
