"""A large guest-list import as a job (issue 19): the organiser confirms, a worker writes every row in one
transaction (all or nothing, checked again first), with progress on the job's page. The file is the one
kept on the server for the preview (`cop.jobs.queue.keep_upload`); nothing is posted back."""
from dataclasses import asdict

from flask import url_for

from cop.communities import guest_list
from cop.communities.models import Community
from cop.extensions import db
from cop.jobs import queue
from cop.jobs.models import Job, JobUpload
from cop.people.models import Person

KIND = "import_guest_list"
UPLOAD_KIND = "guest_list"


def start_import(community: Community, upload_id: int, choices: guest_list.ImportChoices, rows: int,
                 by: Person) -> Job:
    """Queue the import (JobRefused while another import into this community is queued or running). Commits."""
    saved = asdict(choices)
    saved["values"] = [[column, word, code] for (column, word), code in choices.values.items()]
    return queue.start(KIND, f"Guest-list import into {community.name} ({rows:,} rows)",
                       {"community_id": community.id, "upload_id": upload_id, "choices": saved},
                       key=f"import:{community.id}", community_id=community.id, started_by=by,
                       next_url=url_for("people.index", slug=community.slug))


def _import(job: Job, progress: queue.Progress) -> queue.Outcome:
    community = db.session.get(Community, job.params["community_id"])
    text = db.session.scalar(db.select(JobUpload.text).where(JobUpload.id == job.params["upload_id"]))
    if community is None or text is None:
        raise queue.JobFailed("The uploaded file is no longer kept (files are kept for a day): upload it again.")
    saved = job.params["choices"]
    choices = guest_list.ImportChoices(columns=saved["columns"], merge_duplicates=saved["merge_duplicates"],
                                       values={(column, word): code for column, word, code in saved["values"]})
    progress.step("Checking every row again")

    def told(done: int, total: int) -> None:
        progress.step(f"Writing people: {done:,} of {total:,}", done, total)

    plan = guest_list.apply_import(community, text, choices, progress=told, commit=False)
    if not plan.ok:
        raise queue.JobFailed(f"The file has {len(plan.problems)} problem(s) now (something changed since the "
                              "preview): upload it again to see them.")
    message = f"Imported the guest list: {len(plan.creates):,} added, {len(plan.updates):,} updated."
    return queue.Outcome(message=message)


queue.handles(KIND, failure="The guest list could not be imported, so nobody was added or changed. Try again; if "
              "it fails again, tell the site's administrator.")(_import)
