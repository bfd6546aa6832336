"""A job's page: what it is doing (a progress bar), its outcome, cancel, and its file.

The bar follows the work by itself: with JavaScript the page fetches itself every few seconds (an aria-live
region); without it, the person asks for the page to refresh itself ("?follow=1": an HTTP Refresh header
until the job ends). A refresh the person turns on, and can stop, is not a time limit imposed on them
(WCAG 2.2.1), which is why it is not the default: axe's meta-refresh rule rightly fails a page that
reloads under the reader unasked."""
from collections.abc import Callable

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from cop.communities.access import STAFF, community_for, role_in
from cop.communities.models import Community
from cop.extensions import db
from cop.forms_common import ConfirmForm
from cop.jobs import queue
from cop.jobs.models import Job

bp = Blueprint("jobs", __name__)
REFRESH_SECONDS = 2


def follow_job(start: Callable[[], Job], already: str):
    """Start a job (`start()`, which commits) and go to its page; when the same work is queued or running
    already, go to that job's page instead, saying so with `already`."""
    try:
        job = start()
    except queue.JobRefused as refused:
        flash(already)
        job = refused.job
    return redirect(url_for("jobs.show", job_id=job.id), code=303)


def job_for(job_id: int) -> Job:
    """The job, if the signed-in person started it or is staff of its community (404 otherwise)."""
    job = db.get_or_404(Job, job_id)
    if job.started_by_id == current_user.person_id:
        return job
    community = db.session.get(Community, job.community_id) if job.community_id else None
    if community is None or role_in(community, current_user) not in STAFF:
        abort(404)
    return job


@bp.route("/communities/<slug>/jobs")
@login_required
def index(slug: str):
    """The community's long work, newest first: what is running, and what ended how."""
    community, role = community_for(slug, STAFF)
    jobs = db.session.execute(
        select(Job).where(Job.community_id == community.id).order_by(Job.id.desc()).limit(50)
    ).scalars().all()
    return render_template("jobs/index.html", community=community, role=role, jobs=jobs)


@bp.route("/jobs/<int:job_id>")
@login_required
def show(job_id: int):
    job = job_for(job_id)
    handler = queue.HANDLERS.get(job.kind)
    refresh = None if job.finished else current_app.config.get("JOBS_REFRESH_SECONDS", REFRESH_SECONDS)
    following = refresh is not None and request.args.get("follow") == "1"
    page = render_template("jobs/job.html", job=job, progress=queue.progress_of(job), form=ConfirmForm(),
                           refresh=refresh, following=following,
                           cancellable=bool(handler and handler.cancellable) and not job.finished,
                           has_output=job.state == "done" and job.output_name is not None)
    response = Response(page)
    if following:
        response.headers["Refresh"] = str(refresh)
    return response


@bp.route("/jobs/<int:job_id>/cancel", methods=["POST"])
@login_required
def cancel(job_id: int):
    job = job_for(job_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if queue.cancel(job):
        flash("Cancelling: the work stops at its next step, and nothing of it is kept.")
    else:
        flash("This can no longer be cancelled.")
    return redirect(url_for("jobs.show", job_id=job.id))


@bp.route("/jobs/<int:job_id>/download", methods=["POST"])
@login_required
def download(job_id: int):
    """A POST: downloading may change something (a print pack marks its plan printed)."""
    job = job_for(job_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if job.state != "done" or job.output_name is None:
        abort(404)
    handler = queue.HANDLERS.get(job.kind)
    if handler and handler.on_download:
        handler.on_download(job)
        db.session.commit()
    return Response(job.output, mimetype=job.output_type or "application/octet-stream", headers={
        "Content-Disposition": f'attachment; filename="{job.output_name}"', "Cache-Control": "no-store"})
