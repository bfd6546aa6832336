"""The community report's CSV as a job, for a community of many attendances (issue 19).

At 150 events of a community of thousands the CSV is every event's breakdowns and organisation pairs: tens
of thousands of rows and megabytes, over a second to write. Past REPORT_CSV_IN_BACKGROUND_OVER attendances
the report page offers it as a job (its page shows the progress; the file is downloaded from there); below,
as a direct download. Either way the rows are the same (community_csv_text).
"""
from cop.communities.models import Community
from cop.csv_safety import write_csv
from cop.extensions import db
from cop.jobs import queue
from cop.jobs.models import Job
from cop.reports import export, queries

KIND = "report_csv"


def community_csv_text(community: Community, progress: queue.Progress | None = None,
                       compute_limit: int | None = None) -> tuple[str, int]:
    """The community report as CSV, and its number of rows. Flushes any figures it had to compute (with
    `compute_limit`, store.TooMuchToCompute when they are too many for a request)."""
    if progress is not None:
        progress.step("Reading each event's figures", 0, 2)
    report = queries.CommunityReport(community, with_links=True, compute_limit=compute_limit)
    rows = export.community_csv_rows(report.figures, report.follow_ups)
    rows += export.channel_rows(report.channels)
    if progress is not None:
        progress.step(f"Writing {len(rows):,} rows", 1, 2)
    return write_csv(export.HEADER, rows), len(rows)


def start_csv(community: Community, by) -> Job:
    """The job writing this community's report CSV (JobRefused when one is already queued or running). Commits."""
    return queue.start(KIND, f"Report CSV for {community.name}", {"community_id": community.id},
                       key=f"report-csv:{community.id}", community_id=community.id, started_by=by)


def _write(job: Job, progress: queue.Progress) -> queue.Outcome:
    community = db.session.get(Community, job.params["community_id"])
    if community is None:
        raise queue.JobFailed("The community is gone.")
    text, rows = community_csv_text(community, progress)
    return queue.Outcome(message=f"The report's CSV is ready: {rows:,} rows.", output=text.encode("utf-8"),
                         output_name=f"{community.slug}-report.csv", output_type="text/csv")


queue.handles(KIND, failure="The report's CSV could not be made. Try again; if it fails again, tell the site's "
              "administrator.")(_write)
