"""A past event with people checked in, a seating plan, and the feedback requests' links from the outbox."""
import re
from datetime import timedelta

from sqlalchemy import select

from cop.clock import utcnow
from cop.events.models import Attendance
from cop.extensions import db
from cop.feedback import surveys
from cop.mail.models import OutboxMessage
from cop.seating.models import Seat, SeatingPlan
from tests import factories

LINK = re.compile(r"http://[^/\s]+/feedback/([A-Za-z0-9_\-]+)")


def past_world(anonymous=True, hours_ago=3):
    """A Big Room that ended `hours_ago`: five people from three organisations checked in (one a
    walk-in), one confirmed who never came, and a one-round plan with two tables."""
    group = factories.community(slug="big-room", name="Big Room")
    organiser = factories.member(group, "organiser", factories.person(name="Olga Organiser"))
    facilitator = factories.member(group, "facilitator")
    acute = factories.organisation(name="Essex Acute")
    council = factories.organisation(name="Thurrock Council", sector="local_authority")
    foodbank = factories.organisation(name="Basildon Foodbank", sector="vcse")
    names = [("Amira Khan", acute), ("Ben Osei", council), ("Cara Lee", foodbank), ("Dev Patel", acute),
             ("Esme Walk-in", council), ("Nora No-show", foodbank)]
    people = {name.split()[0].lower(): factories.member(group, someone=factories.person(name=name, org=org))
              for name, org in names}
    ends = utcnow().replace(microsecond=0) - timedelta(hours=hours_ago)
    event = factories.event(group, title="Spring Big Room", starts_at=ends - timedelta(hours=3))
    for key in ("amira", "ben", "cara", "dev", "nora"):
        factories.invitation(event, people[key], answer="yes", place="confirmed")
    db.session.flush()
    for key in ("amira", "ben", "cara", "dev", "esme"):
        db.session.add(Attendance(event=event, person=people[key], walk_in=(key == "esme")))
    plan = SeatingPlan(event=event, version=1, status="current", settings={"tables": [3, 3], "rounds": 1})
    db.session.add(plan)
    for key, table in (("amira", 1), ("ben", 1), ("nora", 1), ("cara", 2), ("dev", 2)):
        plan.seats.append(Seat(person=people[key], round=1, table=table))
    survey = surveys.ensure_survey(event)
    survey.anonymous = anonymous
    db.session.commit()
    return {"community": group, "event": event, "survey": survey, "people": people,
            "organiser": organiser, "facilitator": facilitator, "ends": ends}


def links_by_person(kind="How was it?") -> dict[str, str]:
    """{recipient e-mail: token} from the outbox's feedback mails whose subject starts with `kind`."""
    links = {}
    for message in db.session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars():
        if message.subject.startswith(kind):
            links[message.recipient] = LINK.search(message.text_body).group(1)
    return links


def question(survey, kind=None, built_in=None, text=None):
    for q in survey.questions:
        if (kind is None or q.kind == kind) and (built_in is None or q.built_in == built_in) \
                and (text is None or q.text == text):
            return q
    raise LookupError((kind, built_in, text))
