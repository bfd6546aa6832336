"""A personal link to take part in a challenge, mailed through the outbox."""
from flask import render_template

from cop.challenges import challenges as challenge_logic
from cop.challenges.models import Challenge
from cop.links import external_url
from cop.mail.outbox import queue_mail
from cop.people.models import Person


def mail_participation_link(challenge: Challenge, person: Person) -> None:
    token = challenge_logic.new_participation_link(challenge, person)
    values = {"challenge": challenge, "person": person, "link": external_url("challenges.take_part", token=token)}
    queue_mail(recipient=person.email, subject=f"Share your ideas: {challenge.title}",
               text_body=render_template("challenges/mail/link.txt", **values),
               html_body=render_template("challenges/mail/link.html", **values),
               community_id=challenge.community_id)
