"""Read iCalendar text back with two independent parsers: icalendar (Python) and ical.js (node).

Both give the same plain shape per VEVENT, so tests can assert that they agree and
that the times are the intended ones in UTC.
"""
import atexit
import json
import shutil
import subprocess
import threading
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


class _IcalJs:
    """One node running ical.js for the whole session (parse.mjs --lines): starting node for each calendar was
    a tenth of a second each, some 150 times in `make test-fast`. Each calendar is still read as by a fresh one."""

    def __init__(self):
        self.process = None
        self.lock = threading.Lock()

    def parse(self, text: str) -> dict:
        with self.lock:
            if self.process is None or self.process.poll() is not None:
                self.process = self._start()
            self.process.stdin.write(json.dumps(text) + "\n")
            self.process.stdin.flush()
            line = self.process.stdout.readline()
        assert line, f"ical.js stopped (exit {self.process.poll()})"
        answer = json.loads(line)
        assert "error" not in answer, answer.get("error")
        return answer

    @staticmethod
    def _start() -> subprocess.Popen:
        node = shutil.which("node")
        assert node, "node is needed to run ical.js in the tests"
        process = subprocess.Popen([node, str(PARSE_SCRIPT), "--lines"], stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, cwd=ROOT, text=True, encoding="utf-8")
        atexit.register(_stop, process)
        return process


def _stop(process: subprocess.Popen) -> None:
    process.stdin.close()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


_ICALJS = _IcalJs()


def with_icaljs(text: str) -> dict:
    return _ICALJS.parse(text)


def icaljs_events(text: str) -> list[dict]:
    return [{field: event[field] for field in FIELDS} for event in with_icaljs(text)["events"]]


def both_parsers(text: str) -> list[dict]:
    """The events as both parsers read them, after asserting that they read them identically."""
    python_view = with_icalendar(text)
    javascript_view = icaljs_events(text)
    assert python_view == javascript_view
    return python_view
