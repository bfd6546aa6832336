"""The development server runs the whole loop (issue 17, item 6): the mail worker and the scheduled jobs
(reminders, chases, feedback requests) inside it, on the port the PORT setting names."""
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cop.cli import start_scheduled_jobs
from cop.extensions import db
from cop.feedback.models import FeedbackRequest
from tests.feedback_helpers import past_world
from tests.smtp import free_port

ROOT = Path(__file__).resolve().parents[1]


def test_the_dev_server_s_job_thread_sends_feedback_requests_after_an_event(app):
    past_world(anonymous=True)
    db.session.commit()
    stop = start_scheduled_jobs(app, every_seconds=0.2)
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            db.session.expire_all()
            # Each request is committed as it goes (the job's unit): wait for all five, not the first.
            if db.session.execute(select(func.count(FeedbackRequest.id))).scalar_one() >= 5:
                break
            time.sleep(0.2)
    finally:
        stop.set()
    assert db.session.execute(select(func.count(FeedbackRequest.id))).scalar_one() == 5  # the five who came


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_cop_dev_serves_on_the_port_setting_and_says_so_last(tmp_path, database_url):
    port = free_port()
    env = {**os.environ, "COP_DEVELOPMENT": "1", "PORT": str(port), "DATABASE_URL": database_url,
           "COP_INSTANCE_PATH": str(tmp_path), "DEV_JOBS_SECONDS": "3600"}
    env.pop("BASE_URL", None)
    server = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "cop", "dev", "--sign-ins"],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = server.stdout.readline()
            if not line:
                break
            lines.append(line.rstrip())
            if line.startswith("cop: serving"):
                break
        assert f"cop: serving http://127.0.0.1:{port} (port {port}; set PORT to change it)" in lines, lines
        assert any("scheduled jobs" in line for line in lines)
        for _attempt in range(50):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                    assert answer.status == 200
                    break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("the development server did not answer on its port")
    finally:
        server.terminate()
        server.wait(timeout=10)
