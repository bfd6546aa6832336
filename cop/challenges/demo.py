"""The demo's challenge: a question put to the community before its assembly, with 22 ideas at several
stages, comments and replies, and supports from people of many organisations (a few ideas backed within
one organisation only, for the report's flag). History is written as it would have happened (moves with
their reasons), without mailing anyone.

Deterministic (a fixed seed) and idempotent: a challenge of the same title in the community is left alone.
"""
import random
from datetime import timedelta

from sqlalchemy import select

from cop.challenges.models import Challenge, Idea, IdeaComment, IdeaMove, IdeaSupport
from cop.clock import utcnow
from cop.communities.members import as_members
from cop.communities.models import Community, Membership
from cop.events.models import Event
from cop.extensions import db
from cop.people.models import Person

SEED = 21
TITLE = "How should we spend the system's prevention money next year?"
QUESTION = ("We have a small fund for prevention across Mid and South Essex. What one change would keep people "
            "well and out of hospital, and who would need to work together to make it happen?")
BACKGROUND = ("The assembly will discuss the shortlisted ideas at its workshops and seat people by the idea they "
              "backed. Share an idea, build on others' and support the ones you would help deliver.")

# (title, description, stage, anonymous, within one organisation)
IDEAS = [
    ("Social prescribers in every frailty clinic",
     "Put a link worker in each frailty clinic so housing, money and loneliness are picked up before the next fall.",
     "shortlisted", False, False),
    ("One shared care plan for people with dementia",
     "A single plan the GP, memory service, carers and care homes can all read and add to.",
     "in_development", False, False),
    ("Warm homes referrals from district nurses",
     "District nurses refer cold homes straight to the council's warm-homes scheme, no forms.",
     "adopted", False, False),
    ("Falls prevention classes in libraries",
     "Strength and balance classes run with Age Well Essex in every library.",
     "shortlisted", False, False),
    ("Foodbank vouchers in A&E",
     "A&E staff can hand out foodbank vouchers and a Citizens Advice card.",
     "under_review", False, False),
    ("Night-time community nursing line for ambulance crews",
     "Crews call a community nurse at night before conveying a frail person.",
     "shortlisted", False, False),
    ("Carers' health checks at the pharmacy",
     "Free health checks for unpaid carers in community pharmacies.",
     "under_review", False, False),
    ("Youth mental health drop-ins at YMCA",
     "Weekly drop-ins with a CAMHS practitioner at the YMCA.",
     "submitted", False, False),
    ("Discharge checklist shared with hospices",
     "Share the ward discharge checklist with hospices and reablement.",
     "not_taken_forward", False, True),
    ("Walking groups prescribed from PCNs",
     "PCNs prescribe Walking for Health groups and track who keeps going.",
     "submitted", False, False),
    ("Learning disability annual health checks at home",
     "Offer the annual health check at home for people who find surgeries hard.",
     "in_development", False, False),
    ("Hospital car park fees waived for carers",
     "Carers visiting daily should not pay to park.",
     "not_taken_forward", True, True),
    ("Refugee health navigators",
     "Peer navigators from Grays Refugee Welcome help new arrivals register with a GP.",
     "under_review", False, False),
    ("Men's Sheds as places for health checks",
     "Blood pressure and mood checks at Men's Sheds, with the PCN nurse.",
     "shortlisted", False, False),
    ("Domestic abuse advocates in maternity",
     "An independent advocate in every antenatal clinic.",
     "under_review", False, False),
    ("Fire service safe-and-well visits that include falls",
     "Add a falls risk check to the fire service's home visits.",
     "submitted", False, False),
    ("Shared rota so nurses can work across trusts",
     "Let community and acute nurses pick up shifts across both trusts.",
     "submitted", False, True),
    ("Dementia-friendly GP receptions",
     "Train every reception team with Maldon Dementia Friends.",
     "submitted", False, False),
    ("Loneliness register run with the VCSE",
     "A shared list of people who want a call, kept with consent by CVS.",
     "under_review", True, False),
    ("Pre-diabetes cookery courses at the foodbank",
     "Cook-and-eat sessions for people at risk of diabetes.",
     "submitted", False, False),
    ("Digital inclusion champions on wards",
     "Volunteers help patients set up the NHS App before they go home.",
     "submitted", False, False),
    ("Café-style end of life conversations",
     "Hospices host open conversations about planning ahead, café-style.",
     "shortlisted", False, False),
]
COMMENTS = [
    "We tried something like this in Thurrock: it worked when the same person kept coming back.",
    "Who would fund it after the first year?",
    "Our PCN would happily host this. Could we start with two practices?",
    "This needs the council's housing team in the room from the start.",
    "Carers have asked for exactly this at our forum.",
    "Could this link with the shared care record so nobody tells their story twice?",
    "The ambulance service would back this: it would save conveyances at night.",
    "Let's make sure it reaches people who don't speak English as a first language.",
]
REPLIES = [
    "Good question: the ICB's prevention fund could cover the pilot.",
    "Agreed: let's talk at the assembly.",
    "Yes: I can share what we learned.",
]
REASONS = {
    "under_review": "The design group is reading it with the others on this theme.",
    "shortlisted": ("Widely supported across organisations, and it fits the prevention fund: "
                    "shortlisted for the assembly."),
    "in_development": "The assembly backed it: a small group is working out the first pilot.",
    "adopted": "Funded from April: the first referrals start in the spring.",
    "not_taken_forward": "Not for this fund: we have passed it to the team that can act on it.",
}
PATH = ["submitted", "under_review", "shortlisted", "in_development", "adopted"]


def _people(community: Community):
    people = db.session.execute(
        select(Person).join(Membership, Membership.person_id == Person.id)
        .where(Membership.community_id == community.id, Membership.organisation_id.is_not(None))
        .order_by(Person.id)).scalars().all()
    return [m for m in as_members(community.id, people) if not m.person.is_erased]


def add_demo_challenges(community: Community, events: dict[str, Event]) -> Challenge | None:
    existing = db.session.execute(select(Challenge).where(
        Challenge.community_id == community.id, Challenge.title == TITLE)).scalar_one_or_none()
    assembly = events.get("assembly")
    if existing is not None or assembly is None:
        return existing
    rng = random.Random(SEED)
    now = utcnow().replace(microsecond=0)
    organiser = db.session.execute(
        select(Person).join(Membership, Membership.person_id == Person.id)
        .where(Membership.community_id == community.id, Membership.role == "organiser")
        .order_by(Membership.id)).scalars().first()
    opened = now - timedelta(days=21)
    challenge = Challenge(community_id=community.id, event_id=assembly.id, title=TITLE, question=QUESTION,
                          background=BACKGROUND, audience="link", allow_anonymous=True, opens_at=opened,
                          closes_at=max(assembly.starts_at - timedelta(days=3), now + timedelta(days=7)),
                          created_by_id=organiser.id if organiser else None, created_at=opened)
    db.session.add(challenge)
    db.session.flush()
    people = _people(community)
    by_org: dict[int, list] = {}
    for member in people:
        by_org.setdefault(member.organisation_id, []).append(member)
    big_orgs = [ms for ms in by_org.values() if len(ms) >= 8]
    for index, (title, description, stage, anonymous, within_one) in enumerate(IDEAS):
        created = opened + timedelta(hours=6 + index * 19)
        if within_one:
            pool = rng.choice(big_orgs)
            author, backers = pool[0], rng.sample(pool[1:], k=min(len(pool) - 1, rng.randint(2, 6)))
        else:
            author = rng.choice(people)
            weight = 3 if stage in ("shortlisted", "in_development", "adopted") else 1
            backers = rng.sample([p for p in people if p.id != author.id], k=rng.randint(1, 6) * weight)
        idea = Idea(challenge_id=challenge.id, author_id=author.id, title=title, description=description,
                    anonymous=anonymous, stage="submitted", created_at=created)
        db.session.add(idea)
        db.session.flush()
        for n, backer in enumerate(backers):
            db.session.add(IdeaSupport(idea_id=idea.id, person_id=backer.id,
                                       created_at=created + timedelta(hours=n + 1)))
        for n in range(rng.randint(0, 3)):
            writer = rng.choice(people)
            comment = IdeaComment(idea_id=idea.id, author_id=writer.id, body=rng.choice(COMMENTS),
                                  created_at=created + timedelta(hours=2 + n * 5))
            db.session.add(comment)
            db.session.flush()
            if rng.random() < 0.4:
                db.session.add(IdeaComment(idea_id=idea.id, parent_id=comment.id, author_id=author.id,
                                           body=rng.choice(REPLIES),
                                           created_at=comment.created_at + timedelta(hours=1)))
        steps = PATH[1:PATH.index(stage) + 1] if stage in PATH else ["under_review", stage]
        at, current = created, "submitted"
        for step in steps:
            at = min(at + timedelta(days=2), now - timedelta(hours=1))
            db.session.add(IdeaMove(idea_id=idea.id, from_stage=current, to_stage=step, reason=REASONS[step],
                                    by_id=organiser.id if organiser else None, at=at))
            current = step
        idea.stage = current
        idea.moved_at = at if steps else None
    db.session.flush()
    return challenge
