"""`flask --app wsgi cop ...` commands: administrators, demo data, the mail worker, the dev server."""
import threading

import click
from flask import Flask
from flask.cli import AppGroup

cop_commands = AppGroup("cop", help="cop's own commands.")


@cop_commands.command("create-admin")
@click.argument("email")
@click.option("--name", default="Administrator", help="The administrator's name, if they are new to cop.")
@click.password_option(help="Their password (asked for when not given).")
def create_admin(email: str, name: str, password: str) -> None:
    """Create (or promote) a site administrator who can create communities."""
    from cop.accounts.signin import create_admin as make_admin
    from cop.extensions import db

    account = make_admin(email, name, password)
    db.session.commit()
    click.echo(f"administrator: {account.person.email}")


@cop_commands.command("demo")
def demo() -> None:
    """Load the demo community (idempotent), saying what it is doing, and print its sign-ins."""
    from cop.demo import load_demo

    for line in load_demo(progress=lambda step: click.echo(f"demo: {step}...", err=True)):
        click.echo(line)


@cop_commands.command("seating-problem")
@click.argument("event_id", type=int)
@click.option("--rounds", type=click.IntRange(1), help="Rounds (default: what the form would start from).")
def seating_problem(event_id: int, rounds: int | None) -> None:
    """Print, as cop.mixing JSON, the problem the facilitator's seating form would solve for this event.

    It starts from the same choices as the form (the plan in use's settings, or the venue's layout),
    with the app's budget and seed, so `python -m cop.mixing < problem.json` reproduces the plan.
    """
    import json

    from cop import mixing
    from cop.events.models import Event
    from cop.extensions import db
    from cop.seating import plans

    event = db.session.get(Event, event_id)
    if event is None:
        raise click.ClickException(f"there is no event {event_id}")
    choices = plans.form_choices(event)
    if rounds is not None:
        choices.rounds = rounds
    from flask import current_app

    try:
        problem, _ = plans.problem_for(event, choices, plans.Budget.from_config(current_app.config))
    except plans.SeatingRefused as refusal:
        raise click.ClickException(str(refusal)) from refusal
    click.echo(json.dumps(mixing.problem_to_dict(problem), ensure_ascii=False))


@cop_commands.command("worker")
@click.option("--poll", default=2.0, show_default=True, help="Seconds to wait when the outbox is empty.")
@click.option("--once", is_flag=True, help="Deliver what is due, then stop.")
def worker(poll: float, once: bool) -> None:
    """Deliver the mail outbox, retrying with backoff. Run as many as you like."""
    from cop.mail.outbox import deliver_due, run_worker

    if once:
        report = deliver_due(limit=10_000)
        click.echo(f"sent={report.sent} retrying={report.retrying} failed={report.failed}")
    else:
        run_worker(poll_seconds=poll)


@cop_commands.command("jobs-worker")
@click.option("--workers", default=1, show_default=True, help="Jobs run at once by this worker.")
@click.option("--processes", is_flag=True, help="Run each in a process of its own (recycled; see --max-tasks).")
@click.option("--max-tasks", default=0, help="With --processes: replace a process after this many jobs (0: never).")
@click.option("--once", is_flag=True, help="Run the jobs queued now, one after another, then stop.")
def jobs_worker(workers: int, processes: bool, max_tasks: int, once: bool) -> None:
    """Run long work (print packs, bulk invitations, imports) from the jobs queue. Run as many as you like,
    on as many machines as you like, with JOBS_BROKER_URL pointing at one Redis."""
    from flask import current_app

    from cop.jobs import queue

    app = current_app._get_current_object()  # type: ignore[attr-defined]  # the app itself, not the proxy
    queue.requeue_stalled()
    if once:
        ran = 0
        while queue.work_once(app):
            ran += 1
        click.echo(f"jobs={ran}")
        return
    app.config["_JOBS_PROCESS_WORKER"] = processes
    consumer = queue.broker(app).create_consumer(
        workers=workers, worker_type="process" if processes else "thread", periodic=True,
        max_tasks=max_tasks or None, check_worker_health=True, initial_delay=0.2, max_delay=2.0)
    click.echo(f"cop: jobs worker, {workers} {'process' if processes else 'thread'}(es), "
               f"queue {app.config['JOBS_BROKER_URL'].split('@')[-1]}")
    consumer.run()


@cop_commands.command("inbound")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8024, show_default=True, help="Port to listen on.")
@click.option("--smtp", "use_smtp", is_flag=True, help="Speak SMTP instead of LMTP.")
def inbound(host: str, port: int, use_smtp: bool) -> None:
    """Receive calendar answers (iTIP REPLY) that the mail server delivers for MAIL_REPLY_ADDRESS."""
    import signal

    from flask import current_app

    from cop.mail.inbound import start_listener

    app = current_app._get_current_object()  # type: ignore[attr-defined]  # the app itself, not the proxy
    controller = start_listener(app, host, port, lmtp=not use_smtp)
    click.echo(f"inbound: {'SMTP' if use_smtp else 'LMTP'} on {host}:{port} for {app.config['MAIL_REPLY_ADDRESS']}")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


@cop_commands.command("reminders")
def reminders() -> None:
    """Send the reminders and chases that are due, and pass on offered places not taken in time.

    Also sends feedback requests after each event and one feedback reminder (named forms: to those who have
    not answered; anonymous forms: to everyone asked, so the outbox shows nobody who answered), and the
    digests of ideas' moves for people who follow many ideas of a challenge.
    """
    for line in run_scheduled_jobs():
        click.echo(line)


def run_scheduled_jobs() -> list[str]:
    """What `cop reminders` (the timer in production) and the development server's job thread run."""
    from cop.challenges.pipeline import send_idea_digests
    from cop.feedback.asking import send_due_feedback
    from cop.invitations.reminders import send_due_reminders

    report = send_due_reminders()
    feedback = send_due_feedback()  # feedback (issue 7)
    digests = send_idea_digests()  # challenges (issue 21)
    return [f"reminders={report.reminders} chases={report.chases} offers_passed_on={report.offers_passed_on}",
            f"feedback_requests={feedback.requests} feedback_reminders={feedback.reminders}",
            f"idea_digests={digests}"]


def start_scheduled_jobs(app: Flask, every_seconds: float) -> threading.Event:
    """Run the scheduled jobs now and then every `every_seconds` in a thread; set the returned event to stop."""
    import logging
    import re

    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            with app.app_context():
                try:
                    lines = run_scheduled_jobs()
                    if any(count != "0" for line in lines for count in re.findall(r"=(\d+)", line)):
                        logging.getLogger("cop.jobs").info("scheduled jobs: %s", "; ".join(lines))
                except Exception:  # noqa: BLE001 - a failed run is logged and tried again next time
                    logging.getLogger("cop.jobs").exception("scheduled jobs failed")
                finally:
                    from cop.extensions import db

                    db.session.remove()
            stop.wait(every_seconds)

    threading.Thread(target=loop, name="scheduled-jobs", daemon=True).start()
    return stop


@cop_commands.command("export-person")
@click.argument("email")
def export_person(email: str) -> None:
    """Print everything cop holds about a person as JSON (secrets left out)."""
    import json

    from cop import privacy

    person = privacy.find_person(email) or _no_such_person(email)
    click.echo(json.dumps(privacy.export_person(person), indent=2, ensure_ascii=False))


@cop_commands.command("erase-person")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase_person(email: str, yes: bool) -> None:
    """Erase a person's personal data, keeping the counts (see README, Privacy)."""
    from cop import privacy

    person = privacy.find_person(email) or _no_such_person(email)
    if not yes:
        click.confirm(f"Erase {person.name} <{person.email}> everywhere in cop? This cannot be undone", abort=True)
    report = privacy.erase_person(person)
    click.echo("erased " + " ".join(f"{name}={count}" for name, count in report.items()))


def _no_such_person(email: str):
    raise click.ClickException(f"nobody in cop has the email address {email}")


@cop_commands.command("dev")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=None, help="Default: the PORT setting (5000).")
@click.option("--sign-ins", "sign_ins", is_flag=True, help="Print the demo's sign-ins before serving.")
def dev(host: str, port: int | None, sign_ins: bool) -> None:
    """Run the development server with the mail worker and the scheduled jobs (reminders, chases, feedback
    requests, every DEV_JOBS_SECONDS) inside it, so the whole loop works without a timer."""
    from flask import current_app
    from werkzeug.serving import run_simple

    from cop.mail.outbox import run_worker

    app = current_app._get_current_object()  # type: ignore[attr-defined]  # the app itself, not the proxy
    port = port or app.config["PORT"]

    def work() -> None:
        with app.app_context():
            run_worker(poll_seconds=1.0)

    threading.Thread(target=work, name="outbox-worker", daemon=True).start()
    start_scheduled_jobs(app, app.config["DEV_JOBS_SECONDS"])
    from cop.jobs.queue import start_worker_thread

    start_worker_thread(app)  # long work (print packs, bulk invitations, imports): the same queue, a thread
    click.echo(f"cop: mail worker, jobs worker and scheduled jobs (every {app.config['DEV_JOBS_SECONDS']:g} s) running")
    if sign_ins:
        from cop.demo import demo_sign_in_lines

        click.echo("cop: sign in as one of these (mail goes to the dev mailbox, in the menu):")
        for line in demo_sign_in_lines():
            click.echo(f"  {line}")
    click.echo(f"cop: serving {app.config['BASE_URL']} (port {port}; set PORT to change it)")
    run_simple(host, port, app, threaded=True, use_reloader=False)


def register(app: Flask) -> None:
    app.cli.add_command(cop_commands)
