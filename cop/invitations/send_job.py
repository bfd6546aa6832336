"""Inviting many people as a job (issue 19): the request answers at once, a worker writes the invitations
and their mail in one transaction (all or nothing), with progress on the job's page.

The job plans again when it runs (`plan_invitations` with the organiser's choices), so anyone invited in the
meantime is not invited twice, and an event closed in the meantime invites nobody. One run per event at a
time: a second "Send" while one is queued or running is shown the first.
"""
from dataclasses import asdict

from flask import url_for

from cop.communities.members import PeopleFilter
from cop.events.models import Event
from cop.extensions import db
from cop.invitations import inviting
from cop.jobs import queue
from cop.jobs.models import Job
from cop.people.models import Person

KIND = "send_invitations"


def start_sending(event: Event, wanted: PeopleFilter | None, pasted: str, count: int, by: Person | None) -> Job:
    """Queue the invitations (JobRefused while another run for this event is queued or running). Commits."""
    return queue.start(
        KIND, f"Invitations to {event.title} ({count} {'person' if count == 1 else 'people'})",
        {"event_id": event.id, "wanted": asdict(wanted) if wanted is not None else None, "pasted": pasted,
         "invited_by_id": by.id if by else None},
        key=f"invite:{event.id}", community_id=event.community_id, started_by=by,
        next_url=url_for("invitations.guests", event_id=event.id))


def _send(job: Job, progress: queue.Progress) -> queue.Outcome:
    event = db.session.get(Event, job.params["event_id"])
    if event is None:
        raise queue.JobFailed("The event has been deleted.")
    closed = inviting.invitations_closed_reason(event)
    if closed:
        raise queue.JobFailed(closed[0].upper() + closed[1:] + ("" if closed.endswith(".") else "."))
    wanted = job.params["wanted"]
    progress.step("Choosing who to invite")
    plan = inviting.plan_invitations(event, PeopleFilter(**wanted) if wanted is not None else None,
                                     job.params["pasted"])
    if not plan.ok:
        raise queue.JobFailed("The list has problems: " + "; ".join(str(p) for p in plan.problems[:3]) + ".")
    invited_by = db.session.get(Person, job.params["invited_by_id"]) if job.params["invited_by_id"] else None

    def told(done: int, total: int) -> None:
        progress.step(f"Writing invitations and their mail: {done:,} of {total:,}", done, total)

    sent = inviting.send_invitations(event, plan, invited_by, progress=told, commit=False)
    if not sent:
        return queue.Outcome(message="Nobody new to invite: everyone chosen had been invited already.")
    return queue.Outcome(message=f"{len(sent):,} {'invitation' if len(sent) == 1 else 'invitations'} sent: "
                                 "the mail goes out at the mail server's pace.")


queue.handles(KIND, failure="The invitations could not be sent, so nobody was invited. Try again; if it fails "
              "again, tell the site's administrator.")(_send)
