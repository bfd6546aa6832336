"""Shared by the benchmarks: an app on a migrated database of the benchmark's choosing."""
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("COP_INSTANCE_PATH", tempfile.mkdtemp(prefix="cop-bench-instance-"))
os.environ.setdefault("SECRET_KEY", "benchmark-secret-key")
# In-process benchmarks run as a development app (mail stays in the outbox unless they choose SMTP);
# load.py starts gunicorn as production, with what production needs.
os.environ.setdefault("COP_DEVELOPMENT", "1")


def throwaway_sqlite_url() -> str:
    return f"sqlite:///{tempfile.mkdtemp(prefix='cop-bench-')}/cop.sqlite"


def migrated_app(database_url: str, **settings):
    """The real app on that database, its schema brought up to date by the migrations."""
    from flask_migrate import upgrade

    from cop import create_app

    for prefix in ("postgres://", "postgresql://"):
        if database_url.startswith(prefix):
            database_url = "postgresql+psycopg://" + database_url[len(prefix):]
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": False, "BASE_URL": "http://cop.bench",
        **settings,
    })
    with app.app_context():
        upgrade()
    return app
