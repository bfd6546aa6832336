"""Report pages and their CSV: for the community's organisers and facilitators.

The reports keep each held event's figures once computed (cop.reports.store); a view that had to compute
some commits them, so the next view reads them. In a large community that computing is a job's
(cop.reports.update_job): the view goes to its progress page. A large community's CSV is written by a job
(cop.reports.csv_job).
"""
from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user, login_required

from cop.communities.access import STAFF, community_for
from cop.communities.jobs_views import follow_job
from cop.csv_safety import csv_download, write_csv
from cop.events.access import event_for
from cop.events.times import to_london
from cop.extensions import db
from cop.forms_common import ConfirmForm
from cop.reports import charts, csv_job, export, queries, store, update_job

bp = Blueprint("reports", __name__)


@bp.app_template_filter("report_percent")
def percent(value) -> str:
    return "–" if value is None else f"{value:.0%}"


@bp.app_template_filter("report_date")
def short_date(utc) -> str:
    return to_london(utc).strftime("%-d %b %Y")


def _compute_limit() -> int:
    return current_app.config["REPORT_UPDATE_IN_BACKGROUND_OVER"]


def _update_in_background(community):
    """The figures must be computed again and there is too much history for a request: to the job doing it."""
    return follow_job(lambda: update_job.start_update(community, current_user.person, request.full_path.rstrip("?")),
                      "The report is being brought up to date already: here is how far it has got.")


def _keep_figures(report) -> None:
    """Commit the figures the report computed and kept, if it had to compute any (see the module docstring)."""
    if report.computed:
        db.session.commit()


@bp.route("/communities/<slug>/report")
@login_required
def community_report(slug: str):
    community, role = community_for(slug, STAFF)
    try:
        report = queries.CommunityReport(community, compute_limit=_compute_limit())
    except store.TooMuchToCompute:
        return _update_in_background(community)
    _keep_figures(report)
    return render_template("reports/community.html", community=community, role=role,
                           csv_in_background=report.figures.attendances > current_app.config[
                               "REPORT_CSV_IN_BACKGROUND_OVER"],
                           report=report.figures, dimensions=export.DIMENSIONS, themes=report.figures.themes,
                           charts=charts, follow_ups=report.follow_ups, channels=report.channels,
                           network_summary=report.figures.network)


@bp.route("/communities/<slug>/report.csv")
@login_required
def community_report_csv(slug: str):
    community, _ = community_for(slug, STAFF)
    try:
        text, _rows = csv_job.community_csv_text(community, compute_limit=_compute_limit())
    except store.TooMuchToCompute:
        return _update_in_background(community)
    db.session.commit()  # any figures it computed are kept
    return csv_download(text, f"{community.slug}-report.csv")


@bp.route("/communities/<slug>/report.csv/job", methods=["POST"])
@login_required
def community_report_csv_job(slug: str):
    """Start the job writing the CSV (or show the one already running): to its page, where it is downloaded."""
    community, _ = community_for(slug, STAFF)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return follow_job(lambda: csv_job.start_csv(community, current_user.person),
                      "The report's CSV is being made already: here is how far it has got.")


@bp.route("/events/<int:event_id>/report")
@login_required
def event_report(event_id: int):
    event, role = event_for(event_id, STAFF)
    try:
        report = queries.EventReport(event, compute_limit=_compute_limit())
    except store.TooMuchToCompute:
        return _update_in_background(event.community)
    _keep_figures(report)
    return render_template("reports/event.html", event=event, role=role, figure=report.figure,
                           dimensions=export.DIMENSIONS, charts=charts, follow_ups=report.follow_ups,
                           score_lines=queries.plan_score_lines(event), channels=report.channels,
                           network_summary=report.network)


@bp.route("/events/<int:event_id>/report.csv")
@login_required
def event_report_csv(event_id: int):
    event, _ = event_for(event_id, STAFF)
    try:
        report = queries.EventReport(event, compute_limit=_compute_limit())
    except store.TooMuchToCompute:
        return _update_in_background(event.community)
    _keep_figures(report)
    rows = export.event_csv_rows(report.figure, report.follow_ups)
    rows += export.channel_rows(report.channels)
    return csv_download(write_csv(export.HEADER, rows), f"event-{event.id}-report.csv")
