"""Report pages and their CSV: for the community's organisers and facilitators.

The reports keep each held event's figures once computed (cop.reports.store); a view that had to compute
some commits them, so the next view reads them.
"""
from flask import Blueprint, render_template
from flask_login import login_required

from cop.communities.access import STAFF, community_for
from cop.csv_safety import csv_download, write_csv
from cop.events.access import event_for
from cop.events.times import to_london
from cop.extensions import db
from cop.reports import charts, export, queries

bp = Blueprint("reports", __name__)


@bp.app_template_filter("report_percent")
def percent(value) -> str:
    return "–" if value is None else f"{value:.0%}"


@bp.app_template_filter("report_date")
def short_date(utc) -> str:
    return to_london(utc).strftime("%-d %b %Y")


def _keep_figures(report) -> None:
    """Commit the figures the report computed and kept, if it had to compute any (see the module docstring)."""
    if report.computed:
        db.session.commit()


@bp.route("/communities/<slug>/report")
@login_required
def community_report(slug: str):
    community, role = community_for(slug, STAFF)
    report = queries.CommunityReport(community)
    _keep_figures(report)
    return render_template("reports/community.html", community=community, role=role,
                           report=report.figures, dimensions=export.DIMENSIONS, themes=report.figures.themes,
                           charts=charts, follow_ups=report.follow_ups, channels=report.channels,
                           network_summary=report.figures.network)


@bp.route("/communities/<slug>/report.csv")
@login_required
def community_report_csv(slug: str):
    community, _ = community_for(slug, STAFF)
    report = queries.CommunityReport(community, with_links=True)
    _keep_figures(report)
    rows = export.community_csv_rows(report.figures, report.follow_ups)
    rows += export.channel_rows(report.channels)
    return csv_download(write_csv(export.HEADER, rows), f"{community.slug}-report.csv")


@bp.route("/events/<int:event_id>/report")
@login_required
def event_report(event_id: int):
    event, role = event_for(event_id, STAFF)
    report = queries.EventReport(event)
    _keep_figures(report)
    return render_template("reports/event.html", event=event, role=role, figure=report.figure,
                           dimensions=export.DIMENSIONS, charts=charts, follow_ups=report.follow_ups,
                           score_lines=queries.plan_score_lines(event), channels=report.channels,
                           network_summary=report.network)


@bp.route("/events/<int:event_id>/report.csv")
@login_required
def event_report_csv(event_id: int):
    event, _ = event_for(event_id, STAFF)
    report = queries.EventReport(event)
    _keep_figures(report)
    rows = export.event_csv_rows(report.figure, report.follow_ups)
    rows += export.channel_rows(report.channels)
    return csv_download(write_csv(export.HEADER, rows), f"event-{event.id}-report.csv")
