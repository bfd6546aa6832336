"""Generating a seating plan as a job (issue 19): for a room of more than PLAN_IN_BACKGROUND_OVER people the
engine may take its whole budget (seconds), so the request answers at once and a worker seats the room.

The job reads the people to seat when it runs (someone who confirmed meanwhile is seated, one who left is
not) with the facilitator's choices as the form gave them, and stores the plan as a new version exactly as
the form does. One plan at a time per event: a second "Generate" while one is queued or running is shown
the first. A cancel before the plan is stored writes nothing.
"""
from flask import current_app, url_for

from cop.events.models import Event
from cop.extensions import db
from cop.jobs import queue
from cop.jobs.models import Job
from cop.people.models import Person
from cop.seating import plans

KIND = "seating_plan"


def key(event: Event) -> str:
    return f"seating-plan:{event.id}"


def in_background(event: Event, choices: plans.SeatingChoices) -> bool:
    """Whether this plan is made by a job: more people to seat than PLAN_IN_BACKGROUND_OVER."""
    return len(plans.people_to_seat(event, choices.source)) > current_app.config["PLAN_IN_BACKGROUND_OVER"]


def running(event: Event) -> Job | None:
    """The plan job queued or running for this event, if any (the seating page links to it)."""
    return queue.active_job(key(event))


def start_generating(event: Event, choices: plans.SeatingChoices, by: Person | None) -> Job:
    """Queue the plan (JobRefused while another for this event is queued or running). Commits."""
    count = len(plans.people_to_seat(event, choices.source))
    return queue.start(
        KIND, f"Seating plan for {event.title} ({count} people, {choices.rounds} "
              f"{'round' if choices.rounds == 1 else 'rounds'})",
        {"event_id": event.id, "choices": choices.to_settings(), "by_id": by.id if by else None},
        key=key(event), community_id=event.community_id, started_by=by,
        next_url=url_for("seating.plan", event_id=event.id))


def _generate(job: Job, progress: queue.Progress) -> queue.Outcome:
    event = db.session.get(Event, job.params["event_id"])
    if event is None:
        raise queue.JobFailed("The event has been deleted.")
    choices = plans.SeatingChoices.from_settings(job.params["choices"])
    by = db.session.get(Person, job.params["by_id"]) if job.params.get("by_id") else None
    budget = plans.Budget.from_config(current_app.config)
    count = len(plans.people_to_seat(event, choices.source))
    search = (f"{budget.iterations:,} moves" if budget.iterations else f"up to {budget.seconds:g} CPU seconds")
    progress.step(f"Seating {count:,} people at {len(choices.tables)} tables over {choices.rounds} "
                  f"{'round' if choices.rounds == 1 else 'rounds'}: the engine searches for the best mix ({search})",
                  1, 3)
    try:
        made = plans.generate(event, choices, by, budget)
    except plans.SeatingRefused as refusal:
        raise queue.JobFailed(str(refusal)) from None
    progress.step(f"Saving version {made.version}", 2, 3)  # a cancel asked while searching stops here
    if made.in_use:
        said = f"Version {made.version} is the plan in use."
    else:
        said = (f"Version {made.version} is saved as a draft: the plan in use is unchanged until you make this "
                "version current.")
    return queue.Outcome(message=f"{said} {count:,} people seated.",
                         next_url=url_for("seating.plan", event_id=event.id, version=made.version))


queue.handles(KIND, failure="The seating plan could not be made, so nothing was saved. Try again; if it fails "
              "again, tell the site's administrator.")(_generate)
