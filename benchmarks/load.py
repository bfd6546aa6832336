"""Load: gunicorn with several workers on PostgreSQL, driven over HTTP from a second process.

    python benchmarks/load.py [--quick] [--seconds 20] [--workers 4] [--threads 4] [--clients 8] [--database-url URL]

Creates a throwaway PostgreSQL database (dropped afterwards) unless --database-url is given,
migrates it, seeds a community, a published Big Room and invited people, then starts gunicorn
(deploy/gunicorn.conf.py) on 127.0.0.1 and, from another process, runs client threads for a
bounded time. Each client keeps one HTTP/1.1 connection and goes round five endpoints:

    rsvp_page   GET a personal link (the invitee's page of the event, with the form)
    rsvp_post   POST "yes" with the page's CSRF token (each link answers once, while links last)
    event_page  the event's page, signed in as the organiser
    feed        the community's .ics feed (built afresh each time: no If-None-Match)
    healthz     the trivial endpoint (one SELECT 1), the baseline in the same run

The load is a closed loop: each client waits for one answer before it sends the next request,
so every endpoint gets the same number of requests and the rate of each is the rate of whole
rounds, set by the sum of the five latencies (mostly the slowest), not by what that endpoint
could serve alone. The report says so: per endpoint its latency and its share of the clients'
time; below, the rounds per second, all requests per second, and the driver's own CPU use (a
driver near one full core would be measuring itself, not the server).

Prints p50/p95/p99 latency, errors and share of client time per endpoint, each p50 as a ratio
to healthz's, then the rates and the places. Exits 1 on any server error (5xx, a dropped
connection or an unexpected status) or on overbooking.
"""
import argparse
import http.client
import multiprocessing
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta
from urllib.parse import urlencode

from _setup import ROOT, migrated_app

PASSWORD = "load-benchmark-organiser"
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')
ENDPOINTS = ("rsvp_page", "rsvp_post", "event_page", "feed", "healthz")


# --- the server side -------------------------------------------------------------------------------------


def temporary_database(admin_url: str) -> tuple[str, callable]:
    import sqlalchemy as sa

    name = f"cop_load_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return sa.engine.make_url(admin_url).set(database=name).render_as_string(hide_password=False), drop


def seed(database_url: str, invitations: int, capacity: int) -> dict:
    from cop.accounts.models import Account
    from cop.accounts.signin import set_password
    from cop.clock import utcnow
    from cop.communities.models import Community, Membership
    from cop.events.models import Event
    from cop.extensions import db
    from cop.invitations.models import Invitation, InvitationLink
    from cop.people.models import Organisation, Person
    from cop.tokens import new_token

    app = migrated_app(database_url)
    with app.app_context():
        community = Community(slug="load-room", name="Load Big Room")
        organiser = Person(name="Load Organiser", email="organiser@load.example")
        community.memberships.append(Membership(person=organiser, role="organiser"))
        account = Account(person=organiser)
        set_password(account, PASSWORD)
        db.session.add_all([community, account])
        starts = utcnow().replace(microsecond=0) + timedelta(days=30)
        # A feed with a year of monthly events, as a real community's would have.
        for month in range(12):
            db.session.add(Event(community=community, format="big_room", title=f"Big Room {month + 1}",
                                 starts_at=starts + timedelta(days=30 * month),
                                 ends_at=starts + timedelta(days=30 * month, hours=3), capacity=200,
                                 status="published"))
        event = Event(community=community, format="big_room", title="Load Big Room evening", starts_at=starts,
                      ends_at=starts + timedelta(hours=3), capacity=capacity, status="published")
        organisations = [Organisation(name=f"Load Organisation {n}", sector="acute") for n in range(10)]
        db.session.add_all([event, *organisations])
        tokens = []
        for number in range(invitations):
            person = Person(name=f"Load Guest {number}", email=f"guest{number}@load.example")
            community.memberships.append(Membership(person=person, role="member",
                                                    organisation=organisations[number % 10]))
            token, token_hash = new_token()
            db.session.add(Invitation(event=event, person=person, links=[InvitationLink(token_hash=token_hash)]))
            tokens.append(token)
        db.session.commit()
        seeded = {"event_id": event.id, "slug": community.slug, "tokens": tokens}
        db.session.remove()
        db.engine.dispose()
    return seeded


def count_places(database_url: str, event_id: int) -> tuple[int, int, int]:
    from sqlalchemy import func, select

    from cop import create_app
    from cop.extensions import db
    from cop.invitations.models import Invitation
    from cop.mail.models import OutboxMessage

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        places = dict(db.session.execute(
            select(Invitation.place, func.count()).where(Invitation.event_id == event_id).group_by(Invitation.place)
        ).all())
        mails = db.session.scalar(select(func.count(OutboxMessage.id)))
        db.engine.dispose()
    return places.get("confirmed", 0), places.get("waitlisted", 0), mails


def start_gunicorn(database_url: str, port: int, workers: int, threads: int) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url, "COP_BIND": f"127.0.0.1:{port}",
           "COP_WEB_WORKERS": str(workers), "COP_WEB_THREADS": str(threads), "BASE_URL": f"http://127.0.0.1:{port}",
           # Started as production: a SECRET_KEY (from _setup) and an SMTP server (no worker runs, so the
           # mail stays queued in the outbox, where the benchmark counts it).
           "COP_DEVELOPMENT": "0", "MAIL_SERVER": "127.0.0.1", "SIGN_IN_RATE_LIMIT": "10000 per minute"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "--access-logfile", "/dev/null",
         "--error-logfile", "-", "--log-level", "warning", "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
        if server.poll() is not None:
            raise SystemExit("gunicorn did not start")
    server.terminate()
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


# --- the client side (a second process) ------------------------------------------------------------------


class Client:
    """One keep-alive connection with its own session cookie."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookie = ""
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    stale_retries = 0  # GETs sent again because the server had closed an idle keep-alive connection

    def _reconnect(self) -> None:
        self.connection.close()
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str]:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        reused = self.connection.sock is not None
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            self._reconnect()
            if not (reused and method == "GET"):
                raise
            # gunicorn closes keep-alive connections idle for 2 s; browsers resend a GET then too.
            Client.stale_retries += 1
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        except (http.client.HTTPException, OSError):
            self._reconnect()
            raise
        text = response.read().decode("utf-8", errors="replace")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie" and value.startswith("session="):
                self.cookie = value.split(";", 1)[0]
        return response.status, text


def _csrf(page: str) -> str:
    match = CSRF.search(page)
    if not match:
        raise ValueError("no CSRF token on the page")
    return match.group(1) or match.group(2)


def drive(port: int, seeded: dict, seconds: float, clients: int, results) -> None:
    tokens = list(seeded["tokens"])
    token_lock = threading.Lock()
    samples = {name: [] for name in ENDPOINTS}
    errors = {name: [] for name in ENDPOINTS}
    answered = []
    deadline = time.monotonic() + seconds

    def timed(name: str, expected: tuple[int, ...], call) -> str | None:
        started = time.perf_counter()
        try:
            status, text = call()
        except Exception as error:  # noqa: BLE001 - counted as an error of this endpoint
            errors[name].append(f"{type(error).__name__}: {error}")
            return None
        samples[name].append(time.perf_counter() - started)
        if status not in expected:
            errors[name].append(f"status {status}")
            return None
        return text

    def run() -> None:
        client = Client(port)
        page = client.request("GET", "/sign-in")[1]
        status, _ = client.request("POST", "/sign-in", {"csrf_token": _csrf(page), "email": "organiser@load.example",
                                                       "password": PASSWORD})
        if status != 302:
            errors["event_page"].append(f"sign-in answered {status}")
            return
        rsvp_client = Client(port)  # invitees have no account: a session of their own
        while time.monotonic() < deadline:
            with token_lock:
                token = tokens.pop() if tokens else None
            if token:
                form_page = timed("rsvp_page", (200,), lambda: rsvp_client.request("GET", f"/rsvp/{token}"))
                if form_page is not None and timed("rsvp_post", (302,), lambda: rsvp_client.request(
                        "POST", f"/rsvp/{token}", {"csrf_token": _csrf(form_page), "answer": "yes",
                                                   "attendance_mode": "in_person"})) is not None:
                    answered.append(token)
            timed("event_page", (200,), lambda: client.request("GET", f"/events/{seeded['event_id']}"))
            timed("feed", (200,), lambda: client.request("GET", f"/communities/{seeded['slug']}/calendar.ics"))
            timed("healthz", (200,), lambda: client.request("GET", "/healthz"))

    started, cpu_started = time.monotonic(), time.process_time()
    threads = [threading.Thread(target=run) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put({"samples": samples, "errors": {k: v[:5] + [f"... {len(v)} in all"] if len(v) > 5 else v
                                                for k, v in errors.items()},
                 "error_counts": {k: len(v) for k, v in errors.items()},
                 "answered": len(answered), "elapsed": time.monotonic() - started,
                 "driver_cpu": time.process_time() - cpu_started,
                 "stale_retries": Client.stale_retries})


# --- the report ------------------------------------------------------------------------------------------


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000 if ordered else float("nan")


def report(result: dict) -> int:
    elapsed = result["elapsed"]
    base = statistics.median(result["samples"]["healthz"] or [float("nan")]) * 1000
    busy = sum(sum(values) for values in result["samples"].values()) or float("nan")
    print(f"{'endpoint':<11} {'requests':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>6} "
          f"{'time share':>10} {'p50/healthz':>11}")
    server_errors = 0
    for name in ENDPOINTS:
        values = result["samples"][name]
        p50 = _percentile(values, 0.5)
        count = result["error_counts"][name]
        server_errors += count
        print(f"{name:<11} {len(values):>8} {p50:>7.1f} {_percentile(values, 0.95):>7.1f} "
              f"{_percentile(values, 0.99):>7.1f} {count:>6} {sum(values) / busy:>10.0%} {p50 / base:>11.1f}")
        for error in result["errors"][name]:
            print(f"  {name}: {error}")
    requests = sum(len(values) for values in result["samples"].values())
    rounds = len(result["samples"]["healthz"])
    print(f"closed loop: each client waits for every answer, so each endpoint ran at the round rate, "
          f"{rounds / elapsed:.1f} rounds/s; all endpoints {requests / elapsed:.1f} req/s; "
          f"driver CPU {result['driver_cpu'] / elapsed:.0%} of one core")
    return server_errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short run for CI: 5 s, 2 workers, 4 clients")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--clients", type=int, default=8, help="client threads, each with its own connection")
    parser.add_argument("--invitations", type=int, default=3000)
    parser.add_argument("--capacity", type=int, default=200)
    parser.add_argument("--database-url", help="an existing, empty PostgreSQL database (default: a throwaway one)")
    parser.add_argument("--postgres-admin-url", default=os.environ.get(
        "COP_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.workers, args.clients, args.invitations, args.capacity = 5, 2, 4, 300, 50

    import logging
    import socket

    if not args.port:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            args.port = probe.getsockname()[1]

    logging.getLogger("alembic").setLevel(logging.WARNING)
    drop = None
    database_url = args.database_url and re.sub(r"^postgres(ql)?://", "postgresql+psycopg://", args.database_url)
    if database_url is None:
        database_url, drop = temporary_database(args.postgres_admin_url)
    server = None
    try:
        seeded = seed(database_url, args.invitations, args.capacity)
        server = start_gunicorn(database_url, args.port, args.workers, args.threads)
        print(f"gunicorn: {args.workers} workers x {args.threads} threads on PostgreSQL; {args.clients} clients for "
              f"{args.seconds:g} s from a second process")
        context = multiprocessing.get_context("spawn")
        results = context.Queue()
        driver = context.Process(target=drive, args=(args.port, seeded, args.seconds, args.clients, results))
        driver.start()
        result = results.get(timeout=args.seconds + 300)
        driver.join()
        server_errors = report(result)
        confirmed, waitlisted, mails = count_places(database_url, seeded["event_id"])
        overbooked = max(0, confirmed - args.capacity)
        lost = result["answered"] - confirmed - waitlisted
        print(f"keep-alive connections closed by the server while idle, GET sent again: {result['stale_retries']}")
        print(f"answered={result['answered']} confirmed={confirmed} waitlisted={waitlisted} overbooked={overbooked} "
              f"lost_answers={lost} mails_queued={mails} server_errors={server_errors}")
        return 1 if server_errors or overbooked or lost else 0
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        if drop is not None:
            drop()


if __name__ == "__main__":
    sys.exit(main())
