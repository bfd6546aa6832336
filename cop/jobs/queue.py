"""Jobs: long work (print packs, bulk invitations, imports) run by workers off the request, with progress.

The queue is Huey (`JOBS_BROKER_URL`): a SQLite file in the instance folder by default, so `make run`
needs no other service and its development server runs a consumer in a thread; `redis://...` in
production, where any number of `flask --app wsgi cop jobs-worker` run on any number of machines.

What the queue carries is only a job's id. The job itself is a row in cop's database (`job`), written
before it is queued, so the row says what the job is, who started it and how it ended, and the page
that shows it reads the row. How a job runs (`run_job`):

1. it is claimed with a conditional UPDATE (its state queued or running, its attempts as read): of two
   workers handed the same id, one claims it and the other returns;
2. the feature's handler does the work in the session, saying what it is doing through `Progress`
   (kept in the broker's key-value store, with a heartbeat a thread writes every few seconds: progress
   is not data, and a job's long transaction must not wait for its own progress rows on SQLite);
3. the work, the job's state "done" (fenced by the attempt number, so a job taken over by another
   worker is not finished twice) and the mail saying it is done are committed in one transaction:
   all or nothing. A failure rolls everything back and records "failed" with a message; a cancel
   (asked for on the page, seen at the handler's next step) rolls back and records "cancelled".

A worker killed mid-job has committed nothing. Huey has already taken the id off the queue, so the
row is what remembers it: `requeue_stalled` (every minute in each worker, and when one starts) queues
again any job whose heartbeat is older than `JOBS_STALL_SECONDS`, up to `MAX_ATTEMPTS` attempts.

A second start of the same thing (the same key: one print pack per plan, one invitation run per event)
is refused by a unique index on `active_key` while the first is queued or running, on every instance.
"""
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from cop.clock import utcnow
from cop.extensions import db, rows_changed
from cop.jobs.models import Job, JobUpload
from cop.mail.outbox import queue_mail
from cop.people.models import Person

log = logging.getLogger("cop.jobs")
MAX_ATTEMPTS = 3
HEARTBEAT_SECONDS = 2.0


class JobRefused(ValueError):
    """The same work is already queued or running; `job` is that one."""

    def __init__(self, job: Job) -> None:
        super().__init__(f"{job.title} is already {'running' if job.state == 'running' else 'waiting to start'}.")
        self.job = job


class JobFailed(Exception):
    """A handler's own refusal, in plain words for the page (the event was cancelled meanwhile...)."""


class JobCancelled(Exception):
    """The organiser cancelled the job; raised at the handler's next step, so nothing is written."""


@dataclass
class Outcome:
    """What a handler returns: the message shown when it is done, and any file it made."""

    message: str
    output: bytes | None = None
    output_name: str | None = None
    output_type: str | None = None
    next_url: str | None = None


FAILURE = "Something went wrong, so nothing was changed. Try again; if it fails again, tell the site's administrator."


@dataclass
class Handler:
    run: Callable[[Job, "Progress"], Outcome]  # in the caller's transaction (flush, never commit)
    cancellable: bool = True
    on_download: Callable[[Job], None] | None = None  # when its output is downloaded (the view commits)
    failure: str = FAILURE


HANDLERS: dict[str, Handler] = {}


def handles(kind: str, **options):
    """Register a feature's job handler (features register into jobs, as into the mail's inbound handlers);
    options are Handler's: cancellable, on_download, failure."""

    def register(run):
        HANDLERS[kind] = Handler(run=run, **options)
        return run

    return register


# --- the broker -----------------------------------------------------------------------------------------


def init_app(app: Flask) -> None:
    """Make the app's Huey from JOBS_BROKER_URL and register the one task, `run_job(job_id)`."""
    from huey import MemoryHuey, RedisHuey, SqliteHuey, crontab

    url = app.config["JOBS_BROKER_URL"]
    name = app.config.get("JOBS_QUEUE_NAME", "cop-jobs")
    if url.startswith("redis://") or url.startswith("rediss://"):
        huey = RedisHuey(name, url=url, results=False)
    elif url.startswith("sqlite:///"):
        path = url[len("sqlite:///"):]
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        huey = SqliteHuey(name, filename=path, results=False, timeout=30)
    elif url == "memory://":
        huey = MemoryHuey(name, results=False)
    else:
        raise RuntimeError(f"JOBS_BROKER_URL must be redis://..., sqlite:///... or memory://, not {url!r}")

    def run_job_task(job_id: int) -> None:
        run_job(app, job_id)

    def requeue_task() -> None:
        with app.app_context():
            try:
                requeue_stalled()
            finally:
                db.session.remove()

    app.extensions["cop_jobs_task"] = huey.task(name="cop.run_job")(run_job_task)
    huey.periodic_task(crontab(minute="*"), name="cop.requeue_stalled")(requeue_task)
    app.extensions["cop_jobs"] = huey


def broker(app: Flask | None = None):
    return (app or current_app).extensions["cop_jobs"]


def _enqueue(job_id: int) -> None:
    huey = broker()
    try:
        current_app.extensions["cop_jobs_task"](job_id)
        huey.put(f"cop:beat:{job_id}", time.time())  # queued just now: not stalled
    except Exception:  # noqa: BLE001 - the row remembers the job; requeue_stalled queues it again
        log.exception("job %s: could not reach the queue; it will be queued again", job_id)


# --- uploads kept for a preview --------------------------------------------------------------------------

UPLOAD_HOURS = 24


def keep_upload(kind: str, text: str, community_id: int, person: Person) -> JobUpload:
    """Keep an uploaded file for its preview and confirmation (flushes; uploads older than a day go)."""
    db.session.execute(delete(JobUpload).where(JobUpload.created_at < utcnow() - timedelta(hours=UPLOAD_HOURS)))
    upload = JobUpload(kind=kind, text=text, community_id=community_id, person_id=person.id)
    db.session.add(upload)
    db.session.flush()
    return upload


def upload_text(upload_id: int, kind: str, community_id: int, person: Person) -> str | None:
    """The kept file, only for the person who uploaded it, in that community, while it is kept."""
    return db.session.scalar(select(JobUpload.text).where(
        JobUpload.id == upload_id, JobUpload.kind == kind, JobUpload.community_id == community_id,
        JobUpload.person_id == person.id))


# --- starting, following and cancelling ------------------------------------------------------------------


def active_job(key: str) -> Job | None:
    return db.session.execute(select(Job).where(Job.active_key == key)).scalar_one_or_none()


def finished_job_for(cache_key: str) -> Job | None:
    """The latest finished ("done") job with this cache key, whose output can be served again."""
    return db.session.execute(
        select(Job).where(Job.cache_key == cache_key, Job.state == "done").order_by(Job.id.desc()).limit(1)
    ).scalar_one_or_none()


def start(kind: str, title: str, params: dict, key: str, community_id: int | None, started_by: Person | None,
          next_url: str = "", cache_key: str | None = None) -> Job:
    """Queue a job. Commits (the worker must see the row before it sees the id), so call it with nothing
    else pending. Raises JobRefused when the same key is queued or running."""
    if kind not in HANDLERS:
        raise ValueError(f"no handler for jobs of kind {kind!r}")
    existing = active_job(key)
    if existing is not None:
        raise JobRefused(existing)
    job = Job(kind=kind, title=title[:300], params=params, active_key=key, cache_key=cache_key,
              community_id=community_id, started_by_id=started_by.id if started_by else None, state="queued",
              next_url=next_url)
    db.session.add(job)
    try:
        db.session.commit()
    except IntegrityError:  # started twice at once: the other one won
        db.session.rollback()
        existing = active_job(key)
        if existing is None:
            raise
        raise JobRefused(existing) from None
    _enqueue(job.id)
    return job


@dataclass
class ProgressView:
    step: str = ""
    done: int = 0
    total: int = 0
    cancel_asked: bool = False

    @property
    def percent(self) -> int:
        return min(100, int(100 * self.done / self.total)) if self.total else 0


def progress_of(job: Job) -> ProgressView:
    huey = broker()
    saved = huey.get(f"cop:progress:{job.id}", peek=True) or {}
    return ProgressView(step=saved.get("step", ""), done=saved.get("done", 0), total=saved.get("total", 0),
                        cancel_asked=huey.get(f"cop:cancel:{job.id}", peek=True) is not None)


def cancel(job: Job) -> bool:
    """Ask a queued or running job to stop. A queued job is cancelled at once (committed); a running
    one stops at its handler's next step, writing nothing. False if it cannot be cancelled."""
    if job.finished or not HANDLERS[job.kind].cancellable:
        return False
    broker().put(f"cop:cancel:{job.id}", True)
    if job.state == "queued":
        cancelled = rows_changed(
            update(Job).where(Job.id == job.id, Job.state == "queued")
            .values(state="cancelled", active_key=None, finished_at=utcnow(),
                    message="Cancelled before it started: nothing was changed.")
        )
        db.session.commit()
        if cancelled:
            return True
    return True


class Progress:
    """What a handler is doing, for the page (`step("Rendering table cards", 120, 256)`); also where a
    cancel is noticed, so a handler calls it only where stopping writes nothing."""

    def __init__(self, huey, job: Job, cancellable: bool) -> None:
        self.huey, self.job_id, self.cancellable = huey, job.id, cancellable

    def step(self, text: str, done: int = 0, total: int = 0) -> None:
        self.huey.put(f"cop:progress:{self.job_id}", {"step": text, "done": done, "total": total})
        self.check()

    def check(self) -> None:
        if self.cancellable and self.huey.get(f"cop:cancel:{self.job_id}", peek=True) is not None:
            raise JobCancelled()


# --- running -------------------------------------------------------------------------------------------

_pid = os.getpid()


def run_job(app: Flask, job_id: int) -> None:
    """The task the workers run: claim the job, run its handler, commit its work and its end together."""
    global _pid
    with app.app_context():
        if os.getpid() != _pid:  # a forked worker process: never share the parent's connections
            db.engine.dispose(close=False)
            _pid = os.getpid()
        try:
            _run(app, job_id)
        finally:
            db.session.remove()
        _recycle_if_grown(app)


def _run(app: Flask, job_id: int) -> None:
    job = db.session.get(Job, job_id)
    if job is None or job.finished:
        return
    attempt = job.attempts + 1
    claimed = rows_changed(
        update(Job).where(Job.id == job_id, Job.attempts == job.attempts, Job.state.in_(("queued", "running")))
        .values(state="running", attempts=attempt, started_at=utcnow())
    )
    db.session.commit()
    if not claimed:
        return
    huey = broker(app)
    handler = HANDLERS.get(job.kind)
    stop_beating = threading.Event()
    beat = threading.Thread(target=_heartbeat, args=(huey, job_id, stop_beating), daemon=True,
                            name=f"job-{job_id}-heartbeat")
    beat.start()
    started = time.monotonic()
    try:
        job = db.session.get_one(Job, job_id)
        if handler is None:
            raise RuntimeError(f"no handler for jobs of kind {job.kind!r}")
        progress = Progress(huey, job, handler.cancellable)
        progress.step("Starting")
        # A handler builds links and templates as a view does (url_for of a page, a mail's body): a request
        # context at BASE_URL gives them one in a worker too.
        with app.test_request_context(base_url=app.config["BASE_URL"]):
            outcome = handler.run(job, progress)
        progress.check()
        values: dict[str, object] = dict(state="done", active_key=None, finished_at=utcnow(), message=outcome.message)
        if outcome.output is not None:
            values.update(output=outcome.output, output_name=outcome.output_name, output_type=outcome.output_type)
        if outcome.next_url:
            values["next_url"] = outcome.next_url
        db.session.flush()
        fenced = rows_changed(
            update(Job).where(Job.id == job_id, Job.attempts == attempt, Job.state == "running").values(**values)
        )
        if not fenced:  # another worker took it over (this one was thought dead): its result stands
            db.session.rollback()
            return
        _mail_if_long(app, job, outcome.message, time.monotonic() - started, failed=False)
        db.session.commit()
        log.info("job %s (%s) done in %.1f s: %s", job_id, job.kind, time.monotonic() - started, outcome.message)
    except JobCancelled:
        db.session.rollback()
        _finish(app, job_id, attempt, "cancelled", "Cancelled: nothing was changed.", started)
    except JobFailed as refusal:
        db.session.rollback()
        log.warning("job %s refused: %s", job_id, refusal)
        _finish(app, job_id, attempt, "failed", f"{refusal} Nothing was changed.", started)
    except Exception:  # noqa: BLE001 - any failure: nothing written, the job says so, the log has the detail
        db.session.rollback()
        log.exception("job %s failed", job_id)
        _finish(app, job_id, attempt, "failed", handler.failure if handler else FAILURE, started)
    finally:
        stop_beating.set()
        beat.join(timeout=HEARTBEAT_SECONDS * 2)
        for key in ("cancel", "progress", "beat"):  # an ended job is shown from its row
            huey.delete(f"cop:{key}:{job_id}")


def _finish(app: Flask, job_id: int, attempt: int, state: str, message: str, started: float) -> None:
    ended = rows_changed(
        update(Job).where(Job.id == job_id, Job.attempts == attempt)
        .values(state=state, active_key=None, finished_at=utcnow(), message=message)
    )
    if ended and state == "failed":
        _mail_if_long(app, db.session.get_one(Job, job_id), message, time.monotonic() - started, failed=True)
    db.session.commit()


def _mail_if_long(app: Flask, job: Job, message: str, seconds: float, failed: bool) -> None:
    """Tell the person who started it, when it took long enough that they may have left the page."""
    if seconds < app.config["JOBS_MAIL_AFTER_SECONDS"] or job.started_by_id is None:
        return
    person = db.session.get(Person, job.started_by_id)
    if person is None:
        return
    link = f"{app.config['BASE_URL'].rstrip('/')}/jobs/{job.id}"
    subject = f"{'Failed' if failed else 'Done'}: {job.title}"
    queue_mail(person.email, subject[:300],
               f"Hello {person.name},\n\n{job.title}: {message}\n\nSee it here: {link}\n",
               community_id=job.community_id)


def _heartbeat(huey, job_id: int, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            huey.put(f"cop:beat:{job_id}", time.time())
        except Exception:  # noqa: BLE001 - a missed beat at worst makes the job look stalled later
            log.warning("job %s: heartbeat not written", job_id)
        stop.wait(HEARTBEAT_SECONDS)


def _recycle_if_grown(app: Flask) -> None:
    """A process worker that has grown past JOBS_MAX_MEMORY_MB exits after its job; the consumer starts a
    fresh one (a thread in the development server never exits)."""
    limit = app.config.get("JOBS_MAX_MEMORY_MB") or 0
    in_a_worker_process = (threading.current_thread() is threading.main_thread()
                           and app.config.get("_JOBS_PROCESS_WORKER"))
    if not limit or not in_a_worker_process:
        return
    try:
        with open("/proc/self/statm") as statm:
            resident_mb = int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2 ** 20
    except OSError:
        return
    if resident_mb > limit:
        log.info("jobs worker %s at %.0f MB (limit %s): recycling", os.getpid(), resident_mb, limit)
        os._exit(0)


def requeue_stalled(now: float | None = None) -> list[int]:
    """Queue again the jobs whose worker stopped (no heartbeat for JOBS_STALL_SECONDS); fail those tried
    MAX_ATTEMPTS times. Safe to run anywhere, any number of times: the claim lets one worker run a job."""
    now = now or time.time()
    stall = current_app.config["JOBS_STALL_SECONDS"]
    huey = broker()
    requeued = []
    for job in db.session.execute(select(Job).where(Job.state.in_(("queued", "running")))).scalars():
        beat = huey.get(f"cop:beat:{job.id}", peek=True)
        since = (job.started_at or job.created_at)
        last = max(beat or 0.0, (since - datetime(1970, 1, 1)) / timedelta(seconds=1))
        if now - last < stall:
            continue
        if job.attempts >= MAX_ATTEMPTS:
            app = current_app._get_current_object()  # type: ignore[attr-defined]  # the app itself, not the proxy
            _finish(app, job.id, job.attempts, "failed",
                    f"The worker stopped {job.attempts} times while doing this, so it was given up: nothing was "
                    "changed. Try again; if it stops again, tell the site's administrator.", time.monotonic())
            continue
        log.warning("job %s (%s): no heartbeat for %.0f s, queued again", job.id, job.kind, now - last)
        _enqueue(job.id)
        requeued.append(job.id)
    return requeued


def work_once(app: Flask | None = None) -> bool:
    """Run the next queued job in this thread (tests and `cop jobs-worker --once`); False if none."""
    huey = broker(app)
    task = huey.dequeue()
    if task is None:
        return False
    huey.execute(task)
    return True


def start_worker_thread(app: Flask, poll_seconds: float = 0.5) -> threading.Event:
    """The development server's embedded worker: takes jobs off the same queue in a thread of this process
    (and looks for stalled jobs every minute); set the returned event to stop it."""
    stop = threading.Event()

    def loop() -> None:
        last_sweep = 0.0
        while not stop.is_set():
            try:
                if time.monotonic() - last_sweep > 60:
                    last_sweep = time.monotonic()
                    with app.app_context():
                        try:
                            requeue_stalled()
                        finally:
                            db.session.remove()
                if not work_once(app):
                    stop.wait(poll_seconds)
            except Exception:  # noqa: BLE001 - logged; the loop goes on
                log.exception("jobs worker thread")
                stop.wait(poll_seconds)

    threading.Thread(target=loop, name="jobs-worker", daemon=True).start()
    return stop
