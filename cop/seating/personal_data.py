"""The seats section of a person's data (see cop/people/personal_data.py)."""
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from cop.events.personal_data import of_community
from cop.extensions import db
from cop.people.models import Person
from cop.people.personal_data import register_section
from cop.seating.models import Seat, SeatingPlan


def _export_seats(person: Person, community_id: int | None) -> list[dict]:
    rows = db.session.execute(
        select(Seat).join(SeatingPlan).where(Seat.person_id == person.id,
                                             of_community(SeatingPlan.event_id, community_id))
        .options(selectinload(Seat.plan).selectinload(SeatingPlan.event))
        .order_by(SeatingPlan.event_id, SeatingPlan.version, Seat.round)
    ).scalars()
    return [{"event": seat.plan.event.title, "plan_version": seat.plan.version, "round": seat.round,
             "table": seat.table} for seat in rows]


def _erase_seats(person: Person) -> int:
    """The seats are kept: printed plans and "who has sat together" stay whole, the seat shows "Erased
    person". The print packs with the name on them go (kept files and jobs' copies): the count."""
    from cop.seating import print_jobs  # the printing needs Flask's app; export and erasure do not otherwise

    return print_jobs.forget_packs_of(person.id)


register_section("seats", _export_seats, _erase_seats)
