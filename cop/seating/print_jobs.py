"""The print pack as a job: rendered off the request, part by part with progress, once per plan content.

The pack's HTML is cheap (tens of milliseconds); its PDF is not (seconds for a few hundred people). The
request renders the HTML and hashes it: a pack already made from exactly that HTML (the same version,
the same names, the same tables) is served again at once; otherwise a job renders it. Downloading it
marks the plan printed, as the direct download did.
"""
import hashlib

from flask import current_app, has_request_context, render_template

from cop.events.models import Event
from cop.extensions import db
from cop.jobs import queue
from cop.jobs.models import Job
from cop.seating import plans, printing
from cop.seating.models import SeatingPlan

KIND = "print_pack"


def pack_html(event: Event, plan: SeatingPlan, parts: list[str], title_hidden: bool = False) -> str:
    return render_template("seating/print.html", event=event, shown=plan, view=plans.plan_view(plan),
                           parts=parts, part_titles=printing.PARTS, for_pdf=True, title_hidden=title_hidden)


def cache_key(event: Event, plan: SeatingPlan) -> str:
    digest = hashlib.sha256(pack_html(event, plan, list(printing.PARTS)).encode()).hexdigest()[:40]
    return f"print-pack:{plan.id}:{digest}"


def start_pack(event: Event, plan: SeatingPlan, by) -> Job:
    """The job making this plan's pack: a finished one with the same content, or a new one (JobRefused
    when one is already running for this plan). Commits."""
    key = cache_key(event, plan)
    made = queue.finished_job_for(key)
    if made is not None:
        return made
    return queue.start(KIND, f"Print pack for {event.title}, seating version {plan.version}",
                       {"event_id": event.id, "plan_id": plan.id}, key=f"print-pack:{plan.id}",
                       community_id=event.community_id, started_by=by, cache_key=key)


def _render(job: Job, progress: queue.Progress) -> queue.Outcome:
    if not has_request_context():
        with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
            return _render(job, progress)
    from weasyprint import CSS, HTML  # loads pango: only printing needs it

    event = db.session.get(Event, job.params["event_id"])
    plan = db.session.get(SeatingPlan, job.params["plan_id"])
    if event is None or plan is None:
        raise LookupError("the event or its plan is gone")
    job.cache_key = cache_key(event, plan)  # what it is made from now
    stylesheet = CSS(filename=str(printing.STYLESHEET))
    documents, pages = [], 0
    parts = list(printing.PARTS)
    for number, part in enumerate(parts):
        progress.step(f"Rendering {printing.PARTS[part].lower()} (part {number + 1} of {len(parts)}): "
                      f"{pages} pages so far", number, len(parts) + 1)
        document = HTML(string=pack_html(event, plan, [part], title_hidden=number > 0)).render(stylesheets=[stylesheet])
        documents.append(document)
        pages += len(document.pages)
    progress.step(f"Writing the PDF: {pages} pages", len(parts), len(parts) + 1)
    pdf = documents[0].copy([page for document in documents for page in document.pages]).write_pdf()
    return queue.Outcome(
        message=f"The print pack is ready: {pages} pages (table cards, find your table, place cards).",
        output=pdf, output_name=printing.pdf_filename(event.title, plan.version, None),
        output_type="application/pdf")


def _downloaded(job: Job) -> None:
    """Downloading the pack marks its plan printed (then it is never changed in place)."""
    plan = db.session.get(SeatingPlan, job.params["plan_id"])
    if plan is not None:
        plans.mark_printed(plan)


queue.handles(KIND, on_download=_downloaded, failure="The print pack could not be made, so nothing was changed. "
              "Try again; if it fails again, use the print view (a web page) and your browser's Print.")(_render)
