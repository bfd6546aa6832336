"""Inviting people to an event: a filtered part of the community, pasted addresses, or
(for trusted members, "influencers") people from their own network up to a quota.

Pasted addresses are matched to the community's members by e-mail. An address that is not a
member's needs a name on its line ("Jane Doe <jane@example.org>" or "Jane Doe, jane@example.org"):
that person then joins the community as a guest. Whether cop knows the address from another
community is never told, and changes nothing of theirs (a person cop knows keeps their name). A line
cop cannot use is reported with its number, and nothing is saved until every line is good.
"""
import re
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from cop.clock import utcnow
from cop.communities.members import (
    PeopleFilter,
    find_members,
    find_person_by_email,
    join_community,
    member_by_email,
    member_records,
    members_by_id,
    membership_of,
)
from cop.communities.models import Community
from cop.events.models import Event
from cop.extensions import db
from cop.invitations import mails
from cop.invitations.models import Invitation
from cop.invitations.rsvp import holds_event_in_calendar, lock_event, promote_from_waitlist, release_place
from cop.people.models import Person

MAX_PASTED_LINES = 2000
EVERYONE = PeopleFilter()


@dataclass
class LineProblem:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"Line {self.line}: {self.reason}"


@dataclass
class NewGuest:
    name: str
    email: str


@dataclass
class InvitePlan:
    """Who an invitation round would reach, before anything is saved."""

    people: list[Person] = field(default_factory=list)
    new_guests: list[NewGuest] = field(default_factory=list)
    already_invited: list[Person] = field(default_factory=list)
    problems: list[LineProblem] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.people) + len(self.new_guests)

    @property
    def ok(self) -> bool:
        return not self.problems and self.count > 0


PREVIEW_PER_PAGE = 50


@dataclass
class PreviewRow:
    name: str
    email: str
    organisation: str  # this community's record of them; "" for someone new
    new_guest: bool


@dataclass
class PreviewPage:
    rows: list[PreviewRow]
    page: int
    pages: int
    first: int  # 1-based number of the first row shown


def preview_page(event: Event, plan: InvitePlan, page: int = 1, per_page: int = PREVIEW_PER_PAGE) -> PreviewPage:
    """Who the round would invite, by name, a page at a time: members as this community knows them, then the
    people new to the community under the names pasted (the same whether or not cop knows the address)."""
    members = members_by_id(event.community_id, [p.id for p in plan.people])
    rows = sorted((PreviewRow(m.name, m.email, m.organisation.name if m.organisation else "", False)
                   for m in members.values()), key=lambda row: (row.name.casefold(), row.email))
    rows += [PreviewRow(guest.name, guest.email, "", True) for guest in plan.new_guests]
    pages = max(1, -(-len(rows) // per_page))
    page = min(max(1, page), pages)
    start = (page - 1) * per_page
    return PreviewPage(rows=rows[start:start + per_page], page=page, pages=pages, first=start + 1)


_ANGLE = re.compile(r"^(?P<name>.*?)\s*<(?P<email>[^<>]+)>\s*$")


def parse_address_line(line: str) -> tuple[str, str]:
    """("Jane Doe", "jane@example.org") from "Jane Doe <jane@...>", "Jane Doe, jane@..." or "jane@..."."""
    line = line.strip()
    match = _ANGLE.match(line)
    if match:
        return match["name"].strip().strip('"').strip(), match["email"].strip()
    for separator in (",", ";", "\t"):
        if separator in line:
            first, second = (part.strip() for part in line.split(separator, 1))
            return (first, second) if "@" in second else (second, first)
    return "", line


def invitations_closed_reason(event: Event) -> str | None:
    if event.status == "draft":
        return "Publish the event before inviting people"
    if event.status == "cancelled":
        return "The event is cancelled"
    if event.starts_at <= utcnow():
        return "The event has already started"
    return None


def _invited_person_ids(event: Event) -> set[int]:
    return set(db.session.execute(select(Invitation.person_id).where(Invitation.event_id == event.id)).scalars())


def _plan_pasted(event: Event, pasted: str, plan: InvitePlan, invited: set[int], seen: set[str]) -> None:
    lines = pasted.splitlines()
    if len(lines) > MAX_PASTED_LINES:
        plan.problems.append(LineProblem(MAX_PASTED_LINES + 1, f"paste at most {MAX_PASTED_LINES} lines at a time"))
        return
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        name, address = parse_address_line(raw)
        try:
            email = validate_email(address, check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            plan.problems.append(LineProblem(number, f"“{raw.strip()}” is not an email address"))
            continue
        if email in seen:
            continue
        seen.add(email)
        member = member_by_email(event.community, email)
        known = member.person if member else find_person_by_email(email)
        if known is not None and known.id in invited:
            plan.already_invited.append(known)  # invited to this community's event: its own knowledge
        elif member is not None:
            plan.people.append(member.person)
        elif not name:
            plan.problems.append(LineProblem(
                number, f"{email} is not in this community yet: add their name, like Jane Doe <{email}>"))
        elif len(name) > 200:
            plan.problems.append(LineProblem(number, "the name must be 200 characters or fewer"))
        else:
            plan.new_guests.append(NewGuest(name=name, email=email))


def plan_invitations(event: Event, wanted: PeopleFilter | None, pasted: str = "") -> InvitePlan:
    """The organiser's round: the members matching `wanted` (None: nobody) plus the pasted addresses."""
    plan = InvitePlan()
    reason = invitations_closed_reason(event)
    if reason:
        plan.problems.append(LineProblem(0, reason))
        return plan
    invited = _invited_person_ids(event)
    seen: set[str] = set()
    if wanted is not None:
        everyone = find_members(event.community, wanted, page=1, per_page=1_000_000)
        for person, _membership in everyone.rows:
            seen.add(person.email)
            (plan.already_invited if person.id in invited else plan.people).append(person)
    _plan_pasted(event, pasted, plan, invited, seen)
    return plan


def network_quota_left(event: Event, inviter: Person) -> int:
    """How many more people this member may invite to this event (the quota is per event)."""
    membership = membership_of(event.community, inviter.id)
    if membership is None:
        return 0
    used = db.session.execute(
        select(func.count(Invitation.id)).where(
            Invitation.event_id == event.id, Invitation.invited_by_id == inviter.id, Invitation.is_live
        )
    ).scalar_one()
    return max(0, membership.invite_quota - used)


def plan_network_invitations(event: Event, inviter: Person, pasted: str) -> InvitePlan:
    """An influencer's round: their own list of addresses, within what is left of their quota."""
    plan = InvitePlan()
    reason = invitations_closed_reason(event)
    if reason:
        plan.problems.append(LineProblem(0, reason))
        return plan
    _plan_pasted(event, pasted, plan, _invited_person_ids(event), {inviter.email})
    left = network_quota_left(event, inviter)
    if plan.count > left:
        plan.problems.append(LineProblem(
            0, f"you can invite {left} more {'person' if left == 1 else 'people'} to this event; "
               f"this list has {plan.count}"))
    return plan


def send_invitations(event: Event, plan: InvitePlan, invited_by: Person | None = None, progress=None,
                     commit: bool = True) -> list[Invitation]:
    """Create the plan's invitations and queue their mails, all in one transaction (committed here unless
    `commit` is false: a job commits it with its own end). `progress(done, total)` is told as mails are
    written (cop/invitations/send_job.py shows it)."""
    if not plan.ok:
        raise ValueError("the plan has problems: " + "; ".join(str(p) for p in plan.problems))
    community: Community = event.community
    # Someone removed from the community since the plan was made is not invited.
    records = member_records(community.id, [person.id for person in plan.people])
    members = [records[person.id] for person in plan.people if person.id in records]
    members += [join_community(community, guest.email, guest.name, role="guest") for guest in plan.new_guests]
    invitations = []
    for member in members:
        invitation = Invitation(
            event=event, person=member.person, invited_by=invited_by,
            dietary_needs=member.dietary_needs or "", access_needs=member.access_needs or "",
        )
        db.session.add(invitation)
        invitations.append(invitation)
    db.session.flush()
    reply_to = mails.organiser_address(event)  # the same for every mail of the run: looked up once
    # The mails' rows (links, outbox) are written together at the end: nothing below reads them back, and a
    # flush per mail was most of the work (issue 19: 5,000 invitations in one job).
    with db.session.no_autoflush:
        for number, invitation in enumerate(invitations):
            if progress is not None and number % 100 == 0:
                progress(number, len(invitations))
            mails.mail_invitation(invitation, reply_to)
    db.session.flush()
    if commit:
        db.session.commit()
    return invitations


def revoke_invitation(invitation: Invitation) -> None:
    """Every link of the invitation stops working; a place it held goes to the next in the queue."""
    lock_event(invitation.event_id)
    db.session.refresh(invitation)
    if invitation.revoked_at is None and holds_event_in_calendar(invitation.answer) \
            and invitation.event.status != "cancelled":
        mails.mail_place_ended(invitation, "revoked")  # their calendar hears that their place has ended
    invitation.revoked_at = utcnow()
    release_place(invitation)
    db.session.flush()
    promote_from_waitlist(invitation.event)
    db.session.commit()


def resend_invitation(invitation: Invitation) -> None:
    """Mail a new link; the links sent before stop working. A revoked invitation is renewed."""
    invitation.links.clear()
    if invitation.revoked_at is not None:
        # After the CANCEL of the revocation, the renewed request must be newer than it.
        invitation.calendar_sequence = (invitation.calendar_sequence or 0) + 1
    invitation.revoked_at = None
    mails.mail_invitation(invitation)
    db.session.commit()
