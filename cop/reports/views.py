"""Report pages and their CSV: for the community's organisers and facilitators."""
from flask import Blueprint, render_template
from flask_login import login_required

from cop.communities.access import STAFF, community_for
from cop.csv_safety import csv_download, write_csv
from cop.events.access import event_for
from cop.events.times import to_london
from cop.reports import charts, export, figures, queries

bp = Blueprint("reports", __name__)


@bp.app_template_filter("report_percent")
def percent(value) -> str:
    return "–" if value is None else f"{value:.0%}"


@bp.app_template_filter("report_date")
def short_date(utc) -> str:
    return to_london(utc).strftime("%-d %b %Y")


@bp.route("/communities/<slug>/report")
@login_required
def community_report(slug: str):
    community, role = community_for(slug, STAFF)
    records = queries.event_records(community)
    report = figures.community_figures(records)
    return render_template("reports/community.html", community=community, role=role,
                           report=report, dimensions=export.DIMENSIONS, themes=figures.theme_figures(report.events),
                           charts=charts, follow_ups=queries.follow_ups(records), channels=queries.channels(records))


@bp.route("/communities/<slug>/report.csv")
@login_required
def community_report_csv(slug: str):
    community, _ = community_for(slug, STAFF)
    records = queries.event_records(community)
    rows = export.community_csv_rows(figures.community_figures(records), queries.follow_ups(records))
    rows += export.channel_rows(queries.channels(records))
    return csv_download(write_csv(export.HEADER, rows), f"{community.slug}-report.csv")


@bp.route("/events/<int:event_id>/report")
@login_required
def event_report(event_id: int):
    event, role = event_for(event_id, STAFF)
    records = queries.event_records(event.community, up_to=event)
    figure = figures.community_figures(records).events[-1]
    return render_template("reports/event.html", event=event, role=role, figure=figure,
                           dimensions=export.DIMENSIONS, charts=charts, follow_ups=queries.follow_ups([figure.record]),
                           score_lines=queries.plan_score_lines(event), channels=queries.channels(records, {event.id}))


@bp.route("/events/<int:event_id>/report.csv")
@login_required
def event_report_csv(event_id: int):
    event, _ = event_for(event_id, STAFF)
    records = queries.event_records(event.community, up_to=event)
    figure = figures.community_figures(records).events[-1]
    rows = export.event_csv_rows(figure, queries.follow_ups([figure.record]))
    rows += export.channel_rows(queries.channels(records, {event.id}))
    return csv_download(write_csv(export.HEADER, rows), f"event-{event.id}-report.csv")
