"""The demo community: Mid and South Essex Big Room, about 220 people in 40 organisations.

Deterministic (a fixed seed) and idempotent: running it again changes nothing and
prints the same sign-ins. Later features add their events here.
"""
import random

from sqlalchemy import select

from cop.accounts.signin import account_for, set_password
from cop.calendars.demo import demo_calendar_lines
from cop.communities.models import Community, Membership
from cop.events.demo import add_demo_events
from cop.exchange.demo import add_demo_exchange_pairs
from cop.extensions import db
from cop.invitations.demo import add_demo_invitations
from cop.people.models import Organisation, Person
from cop.reports.demo import add_demo_year
from cop.seating.demo import add_demo_seating

COMMUNITY_SLUG = "mse-big-room"
PLACES = ("Basildon and Brentwood", "Mid Essex", "South East Essex", "Thurrock")

# (name, sector, place, people): one large acute trust, many VCSE groups of one or two.
ORGANISATIONS = [
    ("Essex Acute Hospitals NHS Foundation Trust", "acute", "Mid Essex", 40),
    ("Essex Mind and Wellbeing NHS Foundation Trust", "mental_health", "South East Essex", 20),
    ("Mid and South Essex Integrated Care Board", "icb", "Basildon and Brentwood", 16),
    ("Essex Community Health Services", "community", "Thurrock", 15),
    ("Essex County Council", "local_authority", "Mid Essex", 15),
    ("Thurrock Council", "local_authority", "Thurrock", 9),
    ("Southend-on-Sea City Council", "local_authority", "South East Essex", 8),
    ("East of England Ambulance Service", "ambulance", "Basildon and Brentwood", 8),
    ("Basildon Central PCN", "primary_care", "Basildon and Brentwood", 6),
    ("Mid Essex North PCN", "primary_care", "Mid Essex", 5),
    ("Southend West PCN", "primary_care", "South East Essex", 5),
    ("Thurrock Riverside PCN", "primary_care", "Thurrock", 5),
    ("Brentwood PCN", "primary_care", "Basildon and Brentwood", 4),
    ("Chelmsford City PCN", "primary_care", "Mid Essex", 4),
    ("Anglia Ruskin University", "higher_education", "Mid Essex", 5),
    ("University of Essex School of Health", "higher_education", "South East Essex", 4),
    ("St Luke's Hospice", "hospice", "Basildon and Brentwood", 4),
    ("Farleigh Hospice", "hospice", "Mid Essex", 3),
    ("Havens Hospices", "hospice", "South East Essex", 3),
    ("Mid and South Essex Patient Panel", "patient_carer", "Mid Essex", 3),
    ("Thurrock Carers Forum", "patient_carer", "Thurrock", 2),
    ("Essex Fire and Rescue Service", "other", "Mid Essex", 2),
    ("Essex Police Partnerships", "other", "Basildon and Brentwood", 1),
    ("Age Well Essex", "vcse", "Mid Essex", 3),
    ("Southend Learning Disability Network", "vcse", "South East Essex", 3),
    ("Thurrock Council for Voluntary Service", "vcse", "Thurrock", 3),
    ("Chelmsford Community Voluntary Service", "vcse", "Mid Essex", 3),
    ("Basildon Foodbank", "vcse", "Basildon and Brentwood", 3),
    ("Citizens Advice Southend", "vcse", "South East Essex", 3),
    ("Mind in Mid Essex", "vcse", "Mid Essex", 2),
    ("Home-Start Thurrock", "vcse", "Thurrock", 2),
    ("Rainbow Domestic Abuse Services", "vcse", "Basildon and Brentwood", 2),
    ("Southend YMCA", "vcse", "South East Essex", 2),
    ("Brentwood Men's Shed", "vcse", "Basildon and Brentwood", 1),
    ("Changing Pathways", "vcse", "Basildon and Brentwood", 1),
    ("Thurrock Lifestyle Solutions", "vcse", "Thurrock", 1),
    ("Canvey Island Youth Project", "vcse", "South East Essex", 1),
    ("Maldon Dementia Friends", "vcse", "Mid Essex", 1),
    ("Grays Refugee Welcome", "vcse", "Thurrock", 1),
    ("Wickford Walking for Health", "vcse", "Basildon and Brentwood", 1),
]

PROFESSIONS_BY_SECTOR = {
    "acute": ["medicine", "nursing", "nursing", "midwifery", "allied_health", "pharmacy", "healthcare_science",
              "management"],
    "mental_health": ["psychology", "nursing", "medicine", "allied_health", "social_work"],
    "community": ["nursing", "allied_health", "allied_health", "management"],
    "icb": ["management", "public_health", "nursing", "pharmacy", "medicine"],
    "local_authority": ["social_work", "social_care", "public_health", "management"],
    "ambulance": ["allied_health", "management", "nursing"],
    "primary_care": ["medicine", "nursing", "pharmacy", "allied_health", "management"],
    "higher_education": ["nursing", "allied_health", "psychology", "other"],
    "hospice": ["nursing", "medicine", "social_care"],
    "patient_carer": ["other"],
    "other": ["other", "management"],
    "vcse": ["social_care", "other", "management"],
}

FIRST_NAMES = (
    "Amira Ben Chloe Dev Eleanor Femi Grace Hamza Imogen Jack Kemi Liam Maya Nadia Oliver Priya "
    "Quinn Rosa Sam Tariq Uma Victor Wendy Xavier Yasmin Zak Aisha Bilal Cara Daniel Esme Farid "
    "Gemma Harry Isla Jonah Kiran Leah Marcus Niamh Owen Poppy Rhys Sofia Tom Ursula Vikram Willow"
).split()
SURNAMES = (
    "Adeyemi Brown Chen Davies Evans Fraser Green Hussain Iqbal Jones Khan Lewis Murphy Nowak "
    "Okafor Patel Quinn Roberts Singh Taylor Underwood Vaughan Walker Young Zielinski Ahmed Baker "
    "Clarke Doyle Ellis Fisher Gill Hughes Islam Jackson Kaur Lee Mensah Noor Osei"
).split()
INTERESTS = [
    "frailty", "health inequalities", "mental health", "digital inclusion", "housing", "carers",
    "end of life care", "workforce wellbeing", "quality improvement", "population health",
    "children and young people", "learning disability", "social prescribing", "urgent care",
]
DIETARY = ["vegetarian", "vegan", "gluten free", "halal", "no nuts"]
ACCESS = ["wheelchair user: step-free access please", "hearing loop", "large print", "seat near the door"]

DEMO_SIGN_INS = [
    ("organiser", "Rachel Okoye", "rachel.okoye@mse-icb.nhs.example",
     "Mid and South Essex Integrated Care Board", "demo-organiser-2026"),
    ("facilitator", "Tom Ashby", "tom.ashby@essex-acute.nhs.example",
     "Essex Acute Hospitals NHS Foundation Trust", "demo-facilitator-2026"),
    ("facilitator", "Jo Mensah", "jo.mensah@thurrock-cvs.org.example",
     "Thurrock Council for Voluntary Service", "demo-facilitator-2026"),
]


def _domain(organisation_name: str) -> str:
    words = [w for w in organisation_name.lower().replace("'", "").split()
             if w not in ("and", "of", "the", "for", "in", "nhs")]
    return "-".join(words[:3]) + ".example"


def _upsert_person(email: str, name: str) -> Person:
    person = db.session.execute(select(Person).where(Person.email == email)).scalar_one_or_none()
    if person is None:
        person = Person(email=email, name=name)
        db.session.add(person)
    return person


def demo_sign_in_lines() -> list[str]:
    """The demo's sign-ins, for those still in the database (reads only)."""
    lines = []
    for role, _name, email, _organisation, password in DEMO_SIGN_INS:
        if db.session.execute(select(Person.id).where(Person.email == email)).first() is not None:
            lines.append(f"{role}: {email} {password}")
    return lines


def load_demo(progress=lambda step: None) -> list[str]:
    """Create the demo community if it is not there yet; return the sign-in lines to print. `progress` is
    told each step as it starts (`cop demo` prints them: the first load takes a while)."""
    community = db.session.execute(select(Community).where(Community.slug == COMMUNITY_SLUG)).scalar_one_or_none()
    progress("the community and its people")  # said on every load, so two loads print the same
    if community is None:
        community = _create_demo_community()
    progress("events")
    events = add_demo_events(community)
    progress("invitations and answers")
    add_demo_invitations(community, events)
    progress("a year of past evenings")
    year = add_demo_year(community, events)  # before the upcoming plan, which learns from their history
    from cop.registration.demo import add_demo_registrations  # open registration (issue 23)

    add_demo_registrations(year, events.get("upcoming_big_room"))
    progress("the seating plan for the next Big Room")
    add_demo_seating(community, events)
    add_demo_exchange_pairs(community)
    from cop.feedback.demo import add_demo_feedback  # feedback (issue 7)

    progress("feedback")
    add_demo_feedback(community, events)
    from cop.challenges.demo import add_demo_challenges  # challenges and ideas (issue 21)

    progress("a challenge before the assembly")
    add_demo_challenges(community, events)

    from cop.polls.demo import add_demo_poll  # date polls (issue 22)
    from cop.programme.demo import add_demo_suggestions, add_demo_themes  # the year of themes (issue 22)

    progress("the year of themes")
    add_demo_themes(community, events)
    add_demo_suggestions(community)
    from cop.materials.demo import add_demo_materials  # materials after the event (issue 22)

    progress("materials from the last Big Room")
    add_demo_materials(events.get("past_big_room"))
    progress("a date poll for the learning set")
    add_demo_poll(community)
    lines = []
    for role, _name, email, _organisation, password in DEMO_SIGN_INS:
        person = db.session.execute(select(Person).where(Person.email == email)).scalar_one_or_none()
        if person is None:
            # Erased (cop erase-person): the demo does not bring an erased person back.
            lines.append(f"{role}: {email} is no longer in the database (erased?), so has no sign-in; "
                         "load the demo into a fresh database to have it again")
            continue
        account = account_for(person)
        set_password(account, password)
        lines.append(f"{role}: {email} {password}")
    db.session.commit()
    lines.append(f"community: {community.name} ({community.slug}), "
                 f"{len(community.memberships)} people")
    lines.extend(demo_calendar_lines(community))
    return lines


def _create_demo_community() -> Community:
    rng = random.Random(2026)
    community = Community(
        slug=COMMUNITY_SLUG,
        name="Mid and South Essex Big Room",
        description="A monthly evening for people who lead across health, care and the voluntary sector "
        "in Mid and South Essex: a meal, a speaker, and tables mixed across organisations.",
    )
    db.session.add(community)
    organisations = {}
    for name, sector, place, _size in ORGANISATIONS:
        organisation = db.session.execute(select(Organisation).where(Organisation.name == name)).scalar_one_or_none()
        organisations[name] = organisation or Organisation(name=name, sector=sector, place=place)
        db.session.add(organisations[name])

    for role, name, email, organisation_name, _password in DEMO_SIGN_INS:
        community.memberships.append(Membership(
            person=_upsert_person(email, name), role=role, organisation=organisations[organisation_name],
            profession="management" if role == "organiser" else "nursing",
            role_title="Programme lead" if role == "organiser" else "Facilitator"))

    used_emails = {email for _r, _n, email, _o, _p in DEMO_SIGN_INS}
    staff_at = {organisation for _r, _n, _e, organisation, _p in DEMO_SIGN_INS}
    for name, sector, _place, size in ORGANISATIONS:
        for index in range(size - (1 if name in staff_at else 0)):
            first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
            email = f"{first}.{last}@{_domain(name)}".lower()
            while email in used_emails:
                email = f"{first}.{last}{rng.randint(2, 99)}@{_domain(name)}".lower()
            used_emails.add(email)
            community.memberships.append(Membership(
                person=_upsert_person(email, f"{first} {last}"),
                organisation=organisations[name],
                profession=PROFESSIONS_BY_SECTOR[sector][index % len(PROFESSIONS_BY_SECTOR[sector])],
                role_title=rng.choice(["Lead", "Manager", "Practitioner", "Director", "Coordinator", "Volunteer"]),
                interests=", ".join(rng.sample(INTERESTS, 2)),
                dietary_needs=rng.choice(DIETARY) if rng.random() < 0.15 else "",
                access_needs=rng.choice(ACCESS) if rng.random() < 0.05 else "",
                role="guest" if rng.random() < 0.1 else "member",
            ))
    db.session.commit()
    return community
