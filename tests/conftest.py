"""Fixtures: an app per test on a real database, SQLite and PostgreSQL both.

Every test that uses `app` runs twice, as test[sqlite] and test[postgresql]. The
schema is built once per database by the Alembic migrations (so every run also
tests them); each test starts from empty tables.
"""
import os
import tempfile
import uuid

os.environ.setdefault("COP_INSTANCE_PATH", tempfile.mkdtemp(prefix="cop-test-instance-"))
os.environ.setdefault("SECRET_KEY", "test-secret-key")
# The tests run a development app (the dev mailbox); test_security.py starts production ones.
os.environ.setdefault("COP_DEVELOPMENT", "1")

import pytest  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from cop import create_app  # noqa: E402
from cop.extensions import db  # noqa: E402

POSTGRES_ADMIN_URL = os.environ.get("COP_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
ON_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _postgres_database(url_base: str):
    """Create a database of this run's own; yield its URL; drop it afterwards."""
    admin = sa.create_engine(url_base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect():
            pass
    except sa.exc.OperationalError as error:
        admin.dispose()
        message = f"PostgreSQL is not reachable at {url_base} ({error.orig}): the PostgreSQL run is skipped"
        if ON_CI:
            pytest.fail(message + ", which CI does not allow")
        pytest.skip(message)
    name = f"cop_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield sa.engine.make_url(url_base).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'cop.sqlite'}"
        _migrate(url)
        yield url
    else:
        for url in _postgres_database(POSTGRES_ADMIN_URL):
            _migrate(url)
            yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    """A database of the test's own, with no tables (the session's shared ones are already at the head):
    for tests of migrations on data written at an earlier revision."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migration.sqlite'}"
    else:
        yield from _postgres_database(POSTGRES_ADMIN_URL)


def _migrate(url: str) -> None:
    from flask_migrate import upgrade

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        db.engine.dispose()


TEST_SETTINGS = {
    "TESTING": True,
    "WTF_CSRF_ENABLED": False,  # test_security.py turns it on to prove every form needs it
    "RATELIMIT_ENABLED": False,  # test_accounts.py turns it on to prove the limits
    "DEVELOPMENT": True,
    "MAIL_BACKEND": "mailbox",
    "BASE_URL": "http://cop.test",
    "SERVER_NAME": None,
    "SEATING_ITERATIONS": 3000,  # small rooms, reproducible plans, fast tests
    "JOBS_BROKER_URL": "memory://",  # a queue per app (tests/test_jobs.py also runs real workers on a file)
}


@pytest.fixture
def app_factory(database_url):
    """Build an app on the test database with extra settings; tables are emptied afterwards."""
    apps = []

    def build(**overrides):
        app = create_app({**TEST_SETTINGS, "SQLALCHEMY_DATABASE_URI": database_url, **overrides})
        apps.append(app)
        return app

    yield build
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    if apps:
        _empty_tables(database_url)


def _empty_tables(database_url: str) -> None:
    app = create_app({**TEST_SETTINGS, "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as connection:
            if db.engine.dialect.name == "postgresql":
                connection.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    connection.execute(sa.text(f"DELETE FROM {table}"))
        db.engine.dispose()


@pytest.fixture
def app(app_factory):
    app = app_factory()
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


def sign_in(client, account) -> None:
    """Sign an account in on a test client, as a good password would: a session on the server and its cookie."""
    from cop.accounts.sessions import SESSION_KEY, open_session

    token = open_session(account)
    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = str(account.id)
        session["_fresh"] = True
        session[SESSION_KEY] = token
