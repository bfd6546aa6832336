"""The print pack: drawn once per plan content and kept, and made by a job when it is the whole pack.

A pack is drawn from plain values (`printing.Pack`: the title line, who sits at which table) that take a
few queries to read. Their digest names the PDF kept on disk (`<instance>/print-packs/plan-<id>/`), so a
second download or a second job for the same version (the same names, the same tables) is served from
the file without drawing again; a new version, a change in place to an unprinted version or a renamed
person gives another digest, and writing the new file removes the plan's stale ones. The whole pack runs
as a job (the page shows its progress); its finished job is offered again for the same content, so a
second click does not even queue. Downloading marks the plan printed, as the direct download does.
"""
import hashlib
import os
import tempfile
import time
from pathlib import Path

from flask import current_app, render_template
from sqlalchemy import select

from cop.events.models import Event
from cop.events.times import format_when
from cop.extensions import db
from cop.jobs import queue
from cop.jobs.models import Job
from cop.seating import plans, printing
from cop.seating.models import Seat, SeatingPlan

KIND = "print_pack"
renders = 0  # PDFs drawn (not served from the kept files): what the tests count


def title_line(event, plan) -> str:
    """The line above the pack and at the foot of each page, as the print view's title says it."""
    return f"{event.title}, {format_when(event.starts_at, event.ends_at)} (seating version {plan.version})"


def pack_of(title: str, view) -> printing.Pack:
    """The values the pack is drawn from, out of a plan view (`plans.plan_view`)."""
    def org(person) -> str:
        return person.organisation.name if person.organisation else ""

    return printing.Pack(
        title=title,
        rounds=tuple(tuple(printing.Table(t.number, tuple((p.name, org(p)) for p in t.people)) for t in tables)
                     for tables in view.rounds),
        people=tuple((p.name, org(p), tuple(tables)) for p, tables in view.find_your_table),
    )


def pack_html(event: Event, plan: SeatingPlan, parts: list[str], title_hidden: bool = False) -> str:
    """The print view's HTML for the PDF (the fallback renderer's input)."""
    return render_template("seating/print.html", event=event, shown=plan, view=plans.plan_view(plan),
                           parts=parts, part_titles=printing.PARTS, for_pdf=True, title_hidden=title_hidden)


def _renderer() -> str:
    return "weasyprint" if current_app.config.get("PRINT_RENDERER") == "weasyprint" else "fpdf2"


def _digest(pack: printing.Pack) -> str:
    return hashlib.sha256(repr((_renderer(), pack)).encode()).hexdigest()[:32]


def _label(parts: list[str]) -> str:
    return "pack" if parts == list(printing.PARTS) else "-".join(parts)


def _kept(plan: SeatingPlan, parts: list[str], digest: str) -> Path:
    folder = Path(current_app.instance_path) / "print-packs" / f"plan-{plan.id}"
    return folder / f"v{plan.version}-{_label(parts)}-{digest}.pdf"


def _keep(path: Path, pdf: bytes, digest: str) -> None:
    """Write the file whole (a reader never sees half of it) and drop the plan's files of older content."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
    with os.fdopen(handle, "wb") as out:
        out.write(pdf)
    os.replace(temporary, path)
    for other in path.parent.glob("*.pdf"):
        if not other.name.endswith(f"-{digest}.pdf"):
            other.unlink(missing_ok=True)


def render_pdf(event: Event, plan: SeatingPlan, parts: list[str], pack: printing.Pack | None = None,
               progress=None, weasyprint_progress=None) -> bytes:
    """Draw the parts now (never from the kept file): the direct writer, or WeasyPrint when PRINT_RENDERER
    says so or no TrueType font is installed (part by part, `weasyprint_progress(number, part)` before each)."""
    global renders
    renders += 1
    pack = pack or pack_of(title_line(event, plan), plans.plan_view(plan))
    pdf = printing.render(pack, parts, progress) if _renderer() == "fpdf2" else None
    if pdf is not None:
        return pdf
    from weasyprint import CSS, HTML  # loads pango: only this renderer needs it

    stylesheet = CSS(filename=str(printing.STYLESHEET))
    documents = []
    for number, part in enumerate(parts):
        if weasyprint_progress:
            weasyprint_progress(number, part)
        html = pack_html(event, plan, [part], title_hidden=number > 0)
        documents.append(HTML(string=html).render(stylesheets=[stylesheet]))
    return documents[0].copy([page for document in documents for page in document.pages]).write_pdf()


def pdf(event: Event, plan: SeatingPlan, parts: list[str], progress=None, weasyprint_progress=None) -> bytes:
    """The parts' PDF: the kept file for this content, or drawn now and kept."""
    pack = pack_of(title_line(event, plan), plans.plan_view(plan))
    digest = _digest(pack)
    path = _kept(plan, parts, digest)
    try:
        return path.read_bytes()
    except OSError:
        pass
    made = render_pdf(event, plan, parts, pack, progress, weasyprint_progress)
    try:
        _keep(path, made, digest)
    except OSError:  # a full or read-only disk costs a render next time, nothing more
        current_app.logger.warning("seating pack not kept at %s", path, exc_info=True)
    return made


def cache_key(event: Event, plan: SeatingPlan) -> str:
    pack = pack_of(title_line(event, plan), plans.plan_view(plan))
    return f"print-pack:{plan.id}:v{plan.version}:{_digest(pack)}"


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
    event = db.session.get(Event, job.params["event_id"])
    plan = db.session.get(SeatingPlan, job.params["plan_id"])
    if event is None or plan is None:
        raise LookupError("the event or its plan is gone")
    parts = list(printing.PARTS)
    pack = pack_of(title_line(event, plan), plans.plan_view(plan))
    job.cache_key = f"print-pack:{plan.id}:v{plan.version}:{_digest(pack)}"  # what it is made from now
    total = printing.pages_of(pack, parts)
    drawn, said = 0, 0.0

    def page(part: str) -> None:
        nonlocal drawn, said
        drawn += 1
        if time.monotonic() - said > 0.5:  # the progress is a write to the broker: not every page
            said = time.monotonic()
            progress.step(f"Drawing {printing.PARTS[part].lower()}: {min(drawn, total)} of about {total} pages",
                          min(drawn, total), total + 1)

    def part(number: int, part: str) -> None:  # WeasyPrint: a part at a time
        progress.step(f"Rendering {printing.PARTS[part].lower()} (part {number + 1} of {len(parts)})",
                      number, len(parts) + 1)

    made = pdf(event, plan, parts, progress=page, weasyprint_progress=part)
    counted = printing.page_count(made)  # WeasyPrint's pages are compressed: then its estimate
    pages = f"{counted} pages" if counted else f"about {total} pages"
    progress.step(f"Saving the PDF: {pages}", total, total + 1)
    return queue.Outcome(
        message=f"The print pack is ready: {pages} (table cards, find your table, place cards).",
        output=made, output_name=printing.pdf_filename(event.title, plan.version, None),
        output_type="application/pdf")


def forget_packs_of(person_id: int) -> int:
    """Erasure: the kept PDFs of every plan this person sits in, and the print-pack jobs' copies of them,
    go (their names are on them); a later download draws the pack afresh, with "Erased person". Flushes;
    returns how many kept files and job outputs went."""
    plan_ids = set(db.session.scalars(select(Seat.plan_id).where(Seat.person_id == person_id).distinct()))
    if not plan_ids:
        return 0
    gone = 0
    for plan_id in plan_ids:
        folder = Path(current_app.instance_path) / "print-packs" / f"plan-{plan_id}"
        for kept in folder.glob("*.pdf"):
            kept.unlink(missing_ok=True)
            gone += 1
    packs = db.session.scalars(select(Job).where(Job.kind == KIND, Job.output_name.is_not(None)))
    for job in packs:
        if job.params.get("plan_id") in plan_ids:
            job.output, job.output_name, job.output_type, job.cache_key = None, None, None, None
            gone += 1
    db.session.flush()
    return gone


def _downloaded(job: Job) -> None:
    """Downloading the pack marks its plan printed (then it is never changed in place)."""
    plan = db.session.get(SeatingPlan, job.params["plan_id"])
    if plan is not None:
        plans.mark_printed(plan)


queue.handles(KIND, on_download=_downloaded, failure="The print pack could not be made, so nothing was changed. "
              "Try again; if it fails again, use the print view (a web page) and your browser's Print.")(_render)
