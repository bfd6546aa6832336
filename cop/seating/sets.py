"""Action learning sets: form a cohort into sets of 5-8 members with cop.mixing, adjust, create.

The cohort is a filtered part of the community (cop.communities.members) or an uploaded list of
e-mail addresses. Forming sets is one round of the seating problem: each set is a "table",
facilitators carry the engine's facilitator role (so they are spread, one per set where there
are enough), organisations and professions are mixed, and each person is kept apart from their
line manager (the community's record of them, Membership.line_manager, edited on the person's page
or imported as line_manager_email). Set sizes count members only; facilitators come on top (the format's
"5 to 8 members and 1 or 2 facilitators").

A formation is kept as a proposal (SetFormation) the organiser adjusts by moving people;
creating it makes each set a closed series of sessions (cop.events.scheduling.create_series)
whose members are confirmed as the series' members: a set is agreed with its members before it
starts and meets with the same people every time, so there is no per-session RSVP to ask for.
Each member and facilitator is told by one mail (through the outbox) with their set and its dates.
"""
import csv
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select

from cop import mixing
from cop.communities.guest_list import column_name
from cop.communities.members import Member, PeopleFilter, as_members, find_members, member_by_email, members_by_id
from cop.communities.models import Community, Membership
from cop.events import scheduling
from cop.events.formats import SET_MEMBERS
from cop.events.models import Series, SeriesMember
from cop.events.times import format_when
from cop.extensions import db
from cop.mail.outbox import queue_mail
from cop.people.models import Person
from cop.seating.models import SetFormation
from cop.seating.plans import Budget

MIX_BY = ["organisation", "profession"]
SMALLEST, LARGEST = SET_MEMBERS
PREFERRED_SIZE = 6


class SetsRefused(ValueError):
    """The sets cannot be formed or created; the message says why, in the organiser's words."""


# --- the cohort ----------------------------------------------------------------------------------


def cohort_from_filter(community: Community, wanted: PeopleFilter) -> list[Member]:
    page = find_members(community, wanted, page=1, per_page=1_000_000)
    return [Member(person, membership) for person, membership in page.rows]


def cohort_from_csv(community: Community, text: str) -> tuple[list[Member], list[str]]:
    """People named by an uploaded list: a CSV with an email column (the guest list's headers are
    understood), or one address per line. Each must be in the community; problems name their line."""
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return [], ["Line 1: the file is empty"]
    header = [column_name(h) for h in rows[0]]
    column, start = (header.index("email"), 1) if "email" in header else (0, 0)
    people, problems, seen = [], [], set()
    for number, cells in enumerate(rows[start:], start=start + 1):
        address = cells[column].strip() if column < len(cells) else ""
        if not address:
            continue
        try:
            email = validate_email(address, check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            problems.append(f"Line {number}: “{address}” is not an email address")
            continue
        membership = member_by_email(community, email)
        if membership is None:
            problems.append(f"Line {number}: {email} is not in {community.name}")
        elif membership.person_id not in seen:
            seen.add(membership.person_id)
            people.append(Member(membership.person, membership))
    if not people and not problems:
        problems.append("The file names nobody: give one email address per line, or an email column")
    return people, problems


def community_facilitators(community: Community) -> list[Member]:
    return as_members(community.id, db.session.execute(
        select(Person).join(Membership, Membership.person_id == Person.id)
        .where(Membership.community_id == community.id, Membership.role == "facilitator")
        .order_by(Person.name, Person.id)
    ).scalars())


def line_manager_pairs(people: list[Member]) -> list[tuple[int, int]]:
    """(line manager, member of their staff) where both are in the cohort."""
    present = {p.id for p in people}
    return sorted((p.line_manager_id, p.id) for p in people if p.line_manager_id in present)


# --- forming ---------------------------------------------------------------------------------------


def number_of_sets(members: int, facilitators: int, preferred: int = PREFERRED_SIZE) -> int:
    """How many sets: the count nearest `preferred` members a set for which every set is sure to hold
    5 to 8 members, however the engine spreads the facilitators (it keeps set sizes even)."""
    total = members + facilitators
    workable = []
    for sets in range(1, max(1, members // SMALLEST) + 1):
        most_facilitators = math.ceil(facilitators / sets)
        fewest_facilitators = facilitators // sets if facilitators % sets == 0 else max(
            0, facilitators - (sets - 1) * most_facilitators)
        low = total // sets - most_facilitators
        high = -(-total // sets) - fewest_facilitators
        if SMALLEST <= low and high <= LARGEST:
            workable.append(sets)
    if not workable:
        raise SetsRefused(f"{members} members (and {facilitators} facilitators) cannot be split into sets of "
                          f"{SMALLEST} to {LARGEST} members: add or take away people.")
    return min(workable, key=lambda sets: (abs(members / sets - preferred), sets))


def _attributes(person: Member, facilitator: bool) -> dict:
    attributes = {"organisation": person.organisation.name if person.organisation else "",
                  "profession": person.profession or ""}
    if facilitator:
        attributes["role"] = "facilitator"
    return attributes


def _problem(people: list[Member], facilitator_ids: set[int], apart: list[tuple[int, int]], sets: int,
             seed: int, met: Sequence[tuple[int, int]] = ()) -> mixing.Problem:
    return mixing.Problem(
        people=[mixing.Person(str(p.id), _attributes(p, p.id in facilitator_ids)) for p in people],
        tables=[-(-len(people) // sets)] * sets, rounds=1, mix_by=list(MIX_BY),
        apart=[(str(a), str(b)) for a, b in apart], met_before=[(str(a), str(b)) for a, b in met], seed=seed,
    )


def met_in_earlier_sets(community: Community, people: list[Member]) -> list[tuple[int, int]]:
    """Pairs of these people who were members of one action learning set before (so a new set brings new
    people together, as each Big Room does)."""
    ids = {p.id for p in people}
    rows = db.session.execute(
        select(SeriesMember.series_id, SeriesMember.person_id).join(Series, Series.id == SeriesMember.series_id)
        .where(Series.community_id == community.id, Series.format == "action_learning_set",
               SeriesMember.person_id.in_(ids))
    ).all()
    together: dict[int, list[int]] = {}
    for series_id, person_id in rows:
        together.setdefault(series_id, []).append(person_id)
    return sorted({(a, b) for members in together.values() for a in members for b in members if a < b})


def propose_sets(community: Community, title: str, cohort: list[Member], facilitators: list[Member],
                 by: Person | None, budget: Budget, preferred: int = PREFERRED_SIZE, seed: int = 0) -> SetFormation:
    """Form the cohort (and the chosen facilitators) into sets and keep the proposal to adjust."""
    facilitator_ids = {p.id for p in facilitators}
    members = [p for p in cohort if p.id not in facilitator_ids]
    people = members + [p for p in facilitators]
    if len(members) < SMALLEST:
        raise SetsRefused(f"A set needs at least {SMALLEST} members; the cohort has {len(members)}.")
    count = number_of_sets(len(members), len(facilitators), preferred)
    apart = line_manager_pairs(people)
    met = met_in_earlier_sets(community, people)
    try:
        try:
            plan = mixing.solve(_problem(people, facilitator_ids, apart, count, seed, met), seconds=budget.seconds,
                                seed=seed, iterations=budget.iterations)
        except mixing.InvalidProblem:
            if not apart:
                raise
            # Line managers cannot all be kept apart (one set, say): propose anyway, and the preview names
            # the pairs sharing a set, for the organiser to move someone or change the cohort.
            plan = mixing.solve(_problem(people, facilitator_ids, [], count, seed, met), seconds=budget.seconds,
                                seed=seed, iterations=budget.iterations)
    except mixing.InvalidProblem as refusal:
        raise SetsRefused(f"These sets cannot be formed: {refusal}.") from refusal
    formation = SetFormation(
        community_id=community.id, title=title.strip(), created_by=by, status="proposed",
        settings={"facilitator_ids": sorted(facilitator_ids), "apart": [list(pair) for pair in apart],
                  "met_before": [list(pair) for pair in met], "seed": seed, "preferred": preferred},
        sets=[sorted(int(pid) for pid in table) for table in plan.rounds[0]], score=plan.score.to_dict(),
    )
    db.session.add(formation)
    db.session.flush()
    return formation


def people_of(formation: SetFormation) -> dict[int, Member]:
    return members_by_id(formation.community_id, [pid for members in formation.sets for pid in members])


def rescore(formation: SetFormation) -> None:
    people = list(people_of(formation).values())
    problem = _problem(people, set(formation.settings.get("facilitator_ids", [])),
                       [tuple(p) for p in formation.settings.get("apart", [])], len(formation.sets),
                       formation.settings.get("seed", 0), [tuple(p) for p in formation.settings.get("met_before", [])])
    rounds = [[[str(pid) for pid in members] for members in formation.sets]]
    formation.score = mixing.score_plan(problem, rounds).to_dict()


def move_to_set(formation: SetFormation, person_id: int, set_number: int) -> None:
    """The organiser's adjustment: move someone to another set (sizes and pairs are checked on creating)."""
    if formation.status != "proposed":
        raise SetsRefused("These sets have been created already: change each set's members on its series.")
    if not 1 <= set_number <= len(formation.sets):
        raise SetsRefused(f"Choose a set from 1 to {len(formation.sets)}.")
    sets = [list(members) for members in formation.sets]
    home = next((n for n, members in enumerate(sets, start=1) if person_id in members), None)
    if home is None:
        raise SetsRefused("That person is not in these sets.")
    if home == set_number:
        raise SetsRefused(f"They are already in set {set_number}.")
    sets[home - 1].remove(person_id)
    sets[set_number - 1] = sorted(sets[set_number - 1] + [person_id])
    formation.sets = sets  # a new list, so the JSON column sees the change
    rescore(formation)
    db.session.flush()


@dataclass
class SetView:
    number: int
    members: list[Member]
    facilitators: list[Member]


def sets_view(formation: SetFormation) -> list[SetView]:
    people = people_of(formation)
    facilitator_ids = set(formation.settings.get("facilitator_ids", []))
    views = []
    for number, ids in enumerate(formation.sets, start=1):
        everyone = sorted((people[i] for i in ids if i in people), key=lambda p: (p.name.casefold(), p.id))
        views.append(SetView(number, [p for p in everyone if p.id not in facilitator_ids],
                             [p for p in everyone if p.id in facilitator_ids]))
    return views


def problems_of(formation: SetFormation) -> list[str]:
    """What stops the sets being created: sizes outside 5-8 members, a line manager with their staff."""
    problems = []
    views = sets_view(formation)
    for view in views:
        if not SMALLEST <= len(view.members) <= LARGEST:
            problems.append(f"Set {view.number} has {len(view.members)} members: a set needs {SMALLEST} to {LARGEST}.")
    where = {pid: n for n, members in enumerate(formation.sets, start=1) for pid in members}
    people = people_of(formation)
    for manager, staff in formation.settings.get("apart", []):
        if manager in where and where.get(manager) == where.get(staff):
            problems.append(f"{people[manager].name} is {people[staff].name}'s line manager and both are in set "
                            f"{where[manager]}.")
    return problems


def score_in_words(formation: SetFormation) -> list[tuple[str, str]]:
    """The engine's score in plain words, with what the organiser must know before creating the sets."""
    score = formation.score
    views = sets_view(formation)
    sizes = sorted(len(v.members) for v in views)
    lines = [("Sets", f"{len(views)} {'set' if len(views) == 1 else 'sets'} of "
                      f"{sizes[0] if sizes[0] == sizes[-1] else f'{sizes[0]} to {sizes[-1]}'} members.")]
    without = [v.number for v in views if not v.facilitators]
    lines.append(("Facilitators", "Every set has a facilitator." if not without else
                  f"{'Set' if len(without) == 1 else 'Sets'} {', '.join(map(str, without))} "
                  f"{'has' if len(without) == 1 else 'have'} no facilitator yet."))
    apart = formation.settings.get("apart", [])
    where = {pid: n for n, members in enumerate(formation.sets) for pid in members}
    broken = sum(1 for manager, staff in apart if where.get(manager) == where.get(staff))
    lines.append(("Line managers", "Nobody in the cohort manages anyone else in it." if not apart else
                  f"Nobody shares a set with their line manager ({len(apart)} "
                  f"{'pair' if len(apart) == 1 else 'pairs'} kept apart)." if not broken else
                  f"{broken} of {len(apart)} people share a set with their line manager."))
    if formation.settings.get("met_before"):
        again, least = score.get("met_before", 0), score.get("lower_bounds", {}).get("met_before", 0)
        lines.append(("Met in earlier sets", "Nobody shares a set with someone from an earlier set of theirs."
                      if again == 0 else f"{again} {'pair shares' if again == 1 else 'pairs share'} a set again after "
                      f"an earlier one (the fewest possible is {least})."))
    for attribute in MIX_BY:
        excess = score.get("excess", {}).get(attribute, 0)
        least = score.get("lower_bounds", {}).get("excess", {}).get(attribute, 0)
        lines.append((f"Mix of {attribute}s", f"No set has more than its fair share of any one {attribute}."
                      if excess == 0 else f"{excess} {'place goes' if excess == 1 else 'places go'} over a set's fair "
                      f"share of one {attribute} (the fewest possible is {least})."))
    return lines


# --- creating -------------------------------------------------------------------------------------


@dataclass
class SetSchedule:
    """When every set meets: `sessions` times from `first_date`, on the same weekday of the month."""

    first_date: date
    sessions: int
    recurrence: str  # monthly, bimonthly or quarterly
    starts: time
    ends: time


def series_rule(schedule: SetSchedule) -> scheduling.SeriesRule:
    """"The second Wednesday" from the first date (a fifth one becomes "the last")."""
    week = (schedule.first_date.day - 1) // 7 + 1
    return scheduling.SeriesRule(schedule.recurrence, starts_on=schedule.first_date,
                                 weekday=schedule.first_date.weekday(), week_of_month=week if week <= 4 else -1,
                                 count=schedule.sessions)


def create_sets(formation: SetFormation, community: Community, schedule: SetSchedule) -> list[Series]:
    """Each set becomes a closed, published series of sessions with its members and facilitators."""
    if formation.status != "proposed":
        raise SetsRefused("These sets have been created already.")
    problems = problems_of(formation)
    if problems:
        raise SetsRefused(" ".join(problems))
    if schedule.ends <= schedule.starts:
        raise SetsRefused("A session must end after it starts.")
    rule = series_rule(schedule)
    series = []
    for view in sets_view(formation):
        series.append(scheduling.create_series(
            community, "action_learning_set", f"{formation.title}: set {view.number}", rule, schedule.starts,
            schedule.ends, scheduling.OccurrenceTemplate(
                description=f"Action learning set {view.number} of {formation.title}: the same "
                            f"{len(view.members)} members at every session.",
                capacity=len(view.members) + len(view.facilitators)),
            members=[m.person for m in view.members], facilitators=[m.person for m in view.facilitators],
            publish=True,
        ))
        _tell_the_set(community, series[-1], view)
    db.session.flush()
    formation.status = "created"
    formation.series_ids = [s.id for s in series]
    return series


def _tell_the_set(community: Community, series: Series, view: SetView) -> None:
    sessions = "\n".join(f"- {format_when(e.starts_at, e.ends_at)}" for e in series.events)
    for person in view.facilitators + view.members:
        others = "\n".join(f"- {p.name}{', ' + p.organisation.name if p.organisation else ''}"
                           f"{' (facilitator)' if p in view.facilitators else ''}"
                           for p in view.facilitators + view.members if p is not person)
        queue_mail(person.email, f"Your action learning set: {series.title}",
                   f"Hello {person.name},\n\nYou are {'a facilitator' if person in view.facilitators else 'a member'} "
                   f"of {series.title}, in {community.name}.\n\nThe set:\n{others}\n\nIt meets:\n{sessions}\n\n"
                   "The sessions are in your calendar on cop (My calendar), and only the set can see them.\n",
                   community_id=community.id)


def formations_of(community: Community) -> list[SetFormation]:
    return list(db.session.execute(
        select(SetFormation).where(SetFormation.community_id == community.id).order_by(SetFormation.id.desc())
    ).scalars())


def formation_in(community: Community, formation_id: int) -> SetFormation | None:
    return db.session.execute(
        select(SetFormation).where(SetFormation.community_id == community.id, SetFormation.id == formation_id)
    ).scalar_one_or_none()


def series_of(formation: SetFormation) -> list[Series]:
    if not formation.series_ids:
        return []
    return list(db.session.execute(
        select(Series).where(Series.id.in_(formation.series_ids)).order_by(Series.id)
    ).scalars())
