"""Bringing a large community's report figures up to date, as a job (issue 19).

The reports keep each held event's figures (cop.reports.store); after a change to an early event (a check-in
added later, a plan made again, someone's organisation changed) the figures of that event and every later one
are computed again, which reads the whole history: about 5 s at 150 events of a 5,000-person community. Past
REPORT_UPDATE_IN_BACKGROUND_OVER attendances the report page starts this job instead and shows its progress;
the job's "Back to where this started" returns to the report, which then reads what was kept.
"""
from cop.communities.models import Community
from cop.extensions import db
from cop.jobs import queue
from cop.jobs.models import Job
from cop.reports import queries

KIND = "report_figures"


def start_update(community: Community, by, next_url: str) -> Job:
    """The job bringing this community's figures up to date (JobRefused when one is already queued or running,
    which the caller shows instead). Commits."""
    return queue.start(KIND, f"Bringing the report of {community.name} up to date", {"community_id": community.id},
                       key=f"report-figures:{community.id}", community_id=community.id, started_by=by,
                       next_url=next_url)


def _update(job: Job, progress: queue.Progress) -> queue.Outcome:
    community = db.session.get(Community, job.params["community_id"])
    if community is None:
        raise queue.JobFailed("The community is gone.")
    progress.step("Computing each event's figures from the community's history", 0, 1)
    report = queries.CommunityReport(community)  # no limit: here is where the work belongs
    events = len(report.event_ids)
    return queue.Outcome(message=f"The report is up to date: {events:,} {'event' if events == 1 else 'events'}.")


queue.handles(KIND, failure="The report's figures could not be brought up to date. Try again; if it fails again, "
              "tell the site's administrator.")(_update)
