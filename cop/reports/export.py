"""The reports as CSV rows: everything the report pages show, one number per row.

Columns: section (which part of the page the row belongs to), event date (Europe/London,
ISO), event, measure, label (the organisation, sector, ... a row is about; empty when
none) and value. Shares are fractions from 0 to 1, empty when there is nothing to divide by.
"""
from cop.events.times import to_london
from cop.reports.figures import CommunityFigures, EventFigures, FollowUps

HEADER = ["section", "event_date", "event", "measure", "label", "value"]
DIMENSIONS = {"organisation": "Organisation", "sector": "Sector", "profession": "Profession", "place": "Place"}


def _share(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


def _event_date(figure: EventFigures) -> str:
    return to_london(figure.record.starts_at).date().isoformat()


def event_measures(figure: EventFigures) -> list[tuple[str, object]]:
    """The one-number figures of an event, as (measure, value), in the order the pages show them."""
    return [
        ("attendance", figure.attendance),
        ("organisations", figure.organisations),
        ("new organisations", len(figure.new_organisations)),
        ("attendees from new organisations", figure.from_new_organisations),
        ("share of attendees from new organisations", _share(figure.new_organisation_share)),
        ("seating plan in use", "yes" if figure.has_plan else "no"),
        ("attendees seated", figure.seated),
        ("cross-organisation pairs (mixing reach)", figure.cross_pairs),
        ("cross-organisation pairs the room allowed", "" if figure.allowed_pairs is None else figure.allowed_pairs),
        ("mixing reach share", _share(figure.reach_share)),
        ("new cross-organisation pairs", figure.new_cross_pairs),
    ]


def _event_rows(figure: EventFigures, trend_section: str) -> list[list]:
    day, title = _event_date(figure), figure.record.title
    rows = [[trend_section, day, title, measure, "", value] for measure, value in event_measures(figure)]
    for name in figure.new_organisations:
        rows.append(["organisations never seen before", day, title, "new organisation", name, 1])
    for dimension, label in DIMENSIONS.items():
        for value_label, count in getattr(figure, f"by_{dimension}"):
            rows.append([f"attendance by {dimension}", day, title, "attendance", value_label, count])
    for (a, b), pairs in sorted(figure.links.items()):
        rows.append(["organisations that sat together", day, title, "cross-organisation pairs", f"{a} & {b}", pairs])
    return rows


def _follow_up_rows(follow_ups: FollowUps) -> list[list]:
    section = "follow-up intentions from feedback"
    return [[section, "", "", measure, "", value] for measure, value in (
        ("intentions", follow_ups.intentions),
        ("people chosen", follow_ups.people_chosen),
        ("across organisations", follow_ups.cross_organisation),
        ("organisation not known", follow_ups.unknown_organisation),
    )]


def event_csv_rows(figure: EventFigures, follow_ups: FollowUps) -> list[list]:
    return _event_rows(figure, "event") + _follow_up_rows(follow_ups)


def community_csv_rows(report: CommunityFigures, follow_ups: FollowUps) -> list[list]:
    rows = [
        ["community totals", "", "", "events", "", len(report.events)],
        ["community totals", "", "", "attendances", "", report.attendances],
        ["community totals", "", "", "people who came", "", report.people],
        ["community totals", "", "", "organisations reached", "", report.organisations],
        ["community totals", "", "", "cross-organisation pairs", "", report.cross_pairs],
    ]
    for dimension in DIMENSIONS:
        for row in report.breakdowns[dimension]:
            rows.append([f"community attendance by {dimension}", "", "", "attendances", row.label, row.attendances])
            rows.append([f"community attendance by {dimension}", "", "", "people", row.label, row.people])
    for theme in report.themes:
        for measure, value in (("events", theme.events), ("attendances", theme.attendances), ("people", theme.people),
                               ("organisations", theme.organisations),
                               ("attendees from new organisations", theme.from_new_organisations),
                               ("events with a seating plan", theme.seated_events),
                               ("mixing reach (pairs)", theme.cross_pairs),
                               ("room allowed (pairs)", theme.allowed_pairs),
                               ("mixing reach share", _share(theme.reach_share)),
                               ("new cross-organisation pairs", theme.new_cross_pairs)):
            rows.append(["community by theme", "", "", measure, theme.theme, value])
    for (a, b), pairs in sorted(report.links.items()):
        rows.append(["community network of organisations", "", "", "cross-organisation pairs", f"{a} & {b}", pairs])
    for figure, reached in zip(report.events, report.organisations_reached):
        event_rows = _event_rows(figure, "events over time")
        event_rows.insert(len(event_measures(figure)), ["events over time", _event_date(figure), figure.record.title,
                                                        "organisations reached so far", "", reached])
        rows.extend(event_rows)
    return rows + _follow_up_rows(follow_ups)


def channel_rows(channels) -> list[list]:
    """Where people came from (figures.ChannelRow per channel): one row per channel and measure."""
    section = "by channel"
    rows = []
    for row in channels:
        for measure, value in (("invited or registered", row.reached), ("said yes", row.said_yes), ("came", row.came),
                               ("new organisations", row.new_organisations),
                               ("attendees from new organisations", row.from_new_organisations)):
            rows.append([section, "", "", measure, row.channel, value])
    return rows
