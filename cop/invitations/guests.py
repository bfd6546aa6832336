"""The organiser's view of an event's guests: counts and lists by answer, the waitlist,
the needs the caterer and the venue must know about, and who invited whom."""
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from cop.communities.members import member_records
from cop.csv_safety import write_csv
from cop.events.models import Event
from cop.extensions import db
from cop.forms_common import PER_PAGE, Paging, paging
from cop.invitations.models import ANSWERS, Invitation
from cop.invitations.rsvp import places_free
from cop.people.models import Person

# The lists on the guests page, in the order an organiser reads them.
SECTIONS = {
    "confirmed": "Confirmed",
    "offered": "Offered a place (waiting for them to take it)",
    "waitlisted": "Waitlist",
    "maybe": "Maybe",
    "no": "Not coming",
    "pending": "Not answered yet",
    "lapsed": "Offer passed on",
    "revoked": "Revoked invitations",
}


def section_of(invitation: Invitation) -> str:
    if invitation.revoked_at is not None:
        return "revoked"
    if invitation.place in ("confirmed", "offered", "waitlisted", "lapsed"):
        return invitation.place
    return invitation.answer if invitation.answer != "yes" else "confirmed"


@dataclass
class GuestList:
    event: Event
    sections: dict[str, list[Invitation]]
    answer_counts: dict[str, int]
    places_free: int | None
    dietary: list[tuple[str, int]] = field(default_factory=list)
    access: list[Invitation] = field(default_factory=list)
    chain: list[tuple[Person, list[Invitation]]] = field(default_factory=list)
    # person id -> organisation name, from the event's community's records (for the rows shown)
    organisations: dict[int, str] = field(default_factory=dict)
    # The page of the list shown (issue 19: thousands invited is too much for one page): the sections'
    # invitations found by the search, in section order, and of those the rows on this page.
    search: str = ""
    found: dict[str, int] = field(default_factory=dict)  # section -> how many the search found
    shown: dict[str, list[Invitation]] = field(default_factory=dict)
    first_page: dict[str, int] = field(default_factory=dict)  # section -> the page its first row is on
    paging: Paging = field(default_factory=lambda: paging(0, 1))

    @property
    def total(self) -> int:
        return sum(len(invitations) for invitations in self.sections.values())


def _invitations(event: Event) -> list[Invitation]:
    return list(
        db.session.execute(
            select(Invitation)
            .where(Invitation.event_id == event.id)
            .options(joinedload(Invitation.person), joinedload(Invitation.invited_by))
            .order_by(Invitation.waitlist_position, Invitation.id)
        ).scalars()
    )


def coming(invitations: list[Invitation]) -> list[Invitation]:
    """Those holding a place (or an offer of one) who will be in the room."""
    return [
        i for i in invitations
        if i.revoked_at is None and i.place in ("confirmed", "offered") and i.attendance_mode == "in_person"
    ]


def guest_list(event: Event, page: int = 1, search: str = "", per_page: int = PER_PAGE) -> GuestList:
    """The counts and needs of everyone invited; the lists by section, found by name, one page of them."""
    invitations = _invitations(event)
    sections: dict[str, list[Invitation]] = {name: [] for name in SECTIONS}
    for invitation in invitations:
        sections[section_of(invitation)].append(invitation)
    sections["confirmed"].sort(key=lambda i: i.person.name.lower())
    answer_counts = Counter(i.answer for i in invitations if i.revoked_at is None)
    in_room = coming(invitations)
    dietary = Counter(i.dietary_needs.strip().lower() for i in in_room if i.dietary_needs.strip())
    chain: dict[int, tuple[Person, list[Invitation]]] = {}
    for invitation in invitations:
        if invitation.invited_by is not None:
            chain.setdefault(invitation.invited_by.id, (invitation.invited_by, []))[1].append(invitation)
    words = search.casefold().split()
    listed = [(name, i) for name in SECTIONS for i in sections[name]
              if all(word in i.person.name.casefold() for word in words)]
    where = paging(len(listed), page, per_page)
    shown: dict[str, list[Invitation]] = {name: [] for name in SECTIONS}
    for name, invitation in listed[where.start:where.end]:
        shown[name].append(invitation)
    found, first_page = Counter(name for name, _ in listed), dict[str, int]()
    for index, (name, _) in enumerate(listed):
        first_page.setdefault(name, where.page_of(index))
    access = [i for i in in_room if i.access_needs.strip()]
    return GuestList(
        event=event,
        search=search, found=dict(found), shown=shown, first_page=first_page, paging=where,
        sections=sections,
        answer_counts={answer: answer_counts.get(answer, 0) for answer in ANSWERS},
        places_free=places_free(event),
        dietary=sorted(dietary.items(), key=lambda item: (-item[1], item[0])),
        access=access,
        chain=sorted(chain.values(), key=lambda item: item[0].name.lower()),
        organisations=organisations_of(event, [i for rows in shown.values() for i in rows] + access),
    )


def organisations_of(event: Event, invitations: list[Invitation]) -> dict[int, str]:
    """person id -> their organisation's name as the event's community records it ("" if none)."""
    records = member_records(event.community_id, [i.person_id for i in invitations])
    return {pid: m.organisation.name if m.organisation else "" for pid, m in records.items()}


def needs_csv(event: Event) -> str:
    """For the caterer and the venue: everyone with a place, and what they need."""
    invitations = [
        i for i in _invitations(event) if i.revoked_at is None and i.place in ("confirmed", "offered")
    ]
    invitations.sort(key=lambda i: i.person.name.lower())
    organisations = organisations_of(event, invitations)
    return write_csv(
        ["name", "organisation", "place", "attending", "dietary_needs", "access_needs"],
        (
            [
                i.person.name, organisations.get(i.person_id, ""), i.place_label,
                "Online" if i.attendance_mode == "online" else "In person", i.dietary_needs, i.access_needs,
            ]
            for i in invitations
        ),
    )
