"""Read iCalendar text back with two independent parsers: icalendar (Python) and ical.js (node).

Both give the same plain shape per VEVENT, so tests can assert that they agree and
that the times are the intended ones in UTC.
"""
import json
import shutil
import subprocess
from datetime import timezone
from pathlib import Path

import icalendar

PARSE_SCRIPT = Path(__file__).parent / "icaljs" / "parse.mjs"
ROOT = Path(__file__).resolve().parent.parent

FIELDS = ("uid", "sequence", "status", "summary", "start", "end", "partstat")


def _iso_utc(value) -> str:
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def with_icalendar(text: str) -> list[dict]:
    calendar = icalendar.Calendar.from_ical(text)
    events = []
    for vevent in calendar.walk("VEVENT"):
        attendee = vevent.get("attendee")
        events.append({
            "uid": str(vevent["uid"]),
            "sequence": int(vevent["sequence"]),
            "status": str(vevent["status"]),
            "summary": str(vevent["summary"]),
            "start": _iso_utc(vevent.decoded("dtstart")),
            "end": _iso_utc(vevent.decoded("dtend")),
            "partstat": attendee.params.get("PARTSTAT") if attendee is not None else None,
        })
    return events


def with_icaljs(text: str) -> dict:
    node = shutil.which("node")
    assert node, "node is needed to run ical.js in the tests"
    result = subprocess.run(
        [node, str(PARSE_SCRIPT)], input=text.encode(), capture_output=True, cwd=ROOT, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr.decode()
    return json.loads(result.stdout)


def icaljs_events(text: str) -> list[dict]:
    return [{field: event[field] for field in FIELDS} for event in with_icaljs(text)["events"]]


def both_parsers(text: str) -> list[dict]:
    """The events as both parsers read them, after asserting that they read them identically."""
    python_view = with_icalendar(text)
    javascript_view = icaljs_events(text)
    assert python_view == javascript_view
    return python_view
