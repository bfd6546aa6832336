"""Fixtures: an app per test on a real database, SQLite and PostgreSQL both.

Every test that uses `app` runs twice, as test[sqlite] and test[postgresql]. The
schema is built once per database by the Alembic migrations (so every run also
tests them); each test starts from empty tables.

Markers (registered in pyproject.toml; `make test-fast` leaves out all three), given here
at collection so a new test has them without anyone remembering:
- browser: the tests under tests/browser (real Chromium);
- demo: tests that load the demo community (a test file named *demo*, a test using the
  `demo` fixture, or one calling load_demo / `cop demo`) or a copy of it;
- postgresql: the PostgreSQL run of a database test (the database fixtures' parameter).
"""
import contextlib
import inspect
import os
import re
import shutil
import tempfile
import uuid
from pathlib import Path

os.environ.setdefault("COP_INSTANCE_PATH", tempfile.mkdtemp(prefix="cop-test-instance-"))
os.environ.setdefault("SECRET_KEY", "test-secret-key")
# The tests run a development app (the dev mailbox); test_security.py starts production ones.
os.environ.setdefault("COP_DEVELOPMENT", "1")

import jinja2
import pytest  # noqa: E402
import sqlalchemy as sa  # noqa: E402
import werkzeug.security
from werkzeug.routing.rules import Rule

# Passwords are hashed as in production (werkzeug's scrypt, a salt each) at a 32nd of its work factor: at
# production's 0.1 s of CPU a hash, the tests' ~150 hashes and checks were a tenth of `make test-fast`.
werkzeug.security.generate_password_hash.__defaults__ = ("scrypt:1024:8:1", 16)

from cop import create_app  # noqa: E402
from cop.extensions import db  # noqa: E402


def _build_url_builders_once_a_session() -> None:
    """Every test builds an app, and each app compiles a URL builder per route (Python code generated from an AST:
    two thirds of create_app's time). The builder depends only on the rule's parsed parts and defaults, so the
    tests compile each once a session and hand the same function to every app's rule."""
    compile_builder = getattr(Rule, "_compile_builder", None)
    if compile_builder is None:  # another werkzeug: build them as it does
        return
    builders = {}

    def once(self, append_unknown=True):
        key = (tuple(self._trace), repr(sorted((self.defaults or {}).items())), append_unknown)
        if key not in builders:
            builders[key] = compile_builder(self, append_unknown)
        return builders[key]

    Rule._compile_builder = once


_build_url_builders_once_a_session()


class _TemplatesCompiledOnce(jinja2.BytecodeCache):
    """The templates' compiled code, shared by the session's apps (each app has its own Jinja environment, which
    would otherwise parse and compile every template it renders again). A changed template is compiled again."""

    def __init__(self):
        self.code = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket):
        self.code[bucket.key] = bucket.bytecode_to_string()


TEMPLATE_CODE = _TemplatesCompiledOnce()

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
    yield from _postgres_copy(admin, url_base, template=None)
    admin.dispose()


def _postgres_copy(admin: sa.Engine, url_base: str, template: str | None):
    """A new database, empty or a copy of `template` (a database nobody is connected to); yield its URL; drop it."""
    name = f"cop_test_{uuid.uuid4().hex[:12]}"  # its own name: other runs share the server
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
    try:
        yield sa.engine.make_url(url_base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]


@contextlib.contextmanager
def _sqlite_directory(tmp_path_factory):
    """A directory of this run's own for SQLite files: in memory (/dev/shm) where there is one, where a commit
    waits for no disk; otherwise pytest's temporary directory."""
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        directory = Path(tempfile.mkdtemp(prefix="cop-test-sqlite-", dir=shm))
        try:
            yield directory
        finally:
            shutil.rmtree(directory, ignore_errors=True)
    else:
        yield tmp_path_factory.mktemp("sqlite")


@pytest.fixture(scope="session", params=DATABASES)
def database_url(request, tmp_path_factory):
    if request.param == "sqlite":
        with _sqlite_directory(tmp_path_factory) as directory:
            url = f"sqlite:///{directory / 'cop.sqlite'}"
            _migrate(url)
            yield url
    else:
        for url in _postgres_database(POSTGRES_ADMIN_URL):
            _migrate(url)
            yield url


@pytest.fixture(params=DATABASES)
def empty_database(request, tmp_path):
    """A database of the test's own, with no tables (the session's shared ones are already at the head):
    for tests of migrations on data written at an earlier revision."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migration.sqlite'}"
    else:
        yield from _postgres_database(POSTGRES_ADMIN_URL)


BROWSER_TESTS = Path(__file__).parent / "browser"
LOADS_THE_DEMO = re.compile(r"\bload_demo\(|\"cop\", \"demo\"")


def pytest_collection_modifyitems(config, items):
    """The browser and demo markers, by where a test is, what it asks for and what it calls."""
    loads_the_demo = {}
    for item in items:
        path = Path(str(item.path))
        if BROWSER_TESTS in path.parents:
            item.add_marker(pytest.mark.browser)
        function = getattr(item, "function", None)
        if function is not None and function not in loads_the_demo:
            try:
                loads_the_demo[function] = bool(LOADS_THE_DEMO.search(inspect.getsource(function)))
            except (OSError, TypeError):
                loads_the_demo[function] = False
        if "demo" in path.name or "demo" in getattr(item, "fixturenames", ()) or loads_the_demo.get(function):
            item.add_marker(pytest.mark.demo)


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


@pytest.fixture(scope="session")
def database_engine(database_url):
    """The session's own engine on the test database, for emptying it between tests (no app needed). No pool: a
    test may end every connection to the database (test_faults.py); SQLite waits for a writer as the app does."""
    options = {"connect_args": {"timeout": 30}} if database_url.startswith("sqlite") else {}
    engine = sa.create_engine(database_url, poolclass=sa.pool.NullPool, **options)
    yield engine
    engine.dispose()


@pytest.fixture
def app_factory(request, database_url, database_engine):
    """Build an app on the test database with extra settings; tables are emptied afterwards.
    A test that builds one app builds one app: the emptying uses the session's engine, not another app.
    A test that asks for `demo` has its apps built on a fresh copy of the demo database instead."""
    apps = []
    demo_copy = request.getfixturevalue("demo_database") if "demo" in request.fixturenames else None
    url = demo_copy or database_url

    def build(**overrides):
        app = create_app({**TEST_SETTINGS, "SQLALCHEMY_DATABASE_URI": url, **overrides})
        app.jinja_env.bytecode_cache = TEMPLATE_CODE
        apps.append(app)
        return app

    yield build
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    if apps and demo_copy is None:
        _empty_tables(database_engine)


def _empty_tables(engine: sa.Engine) -> None:
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(sa.text(f"DELETE FROM {table}"))


@pytest.fixture
def app(app_factory):
    app = app_factory()
    with app.app_context():
        yield app


@pytest.fixture(scope="session")
def demo_template(database_url, tmp_path_factory):
    """The demo community, loaded once a session (as `load_demo()` in a test's app loads it) into a database of
    its own that no test touches: each test asking for `demo` gets a copy (a file copy on SQLite, CREATE DATABASE
    ... TEMPLATE on PostgreSQL), a fraction of a second instead of a load (10 to 20 s)."""
    from cop.demo import load_demo

    def load(url):
        _migrate(url)
        app = create_app({**TEST_SETTINGS, "SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            load_demo()
            db.session.remove()
            db.engine.dispose()

    if database_url.startswith("sqlite"):
        with _sqlite_directory(tmp_path_factory) as directory:
            path = directory / "demo.sqlite"
            load(f"sqlite:///{path}")
            yield DemoTemplate(path, None)
    else:
        admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
        copies = []
        for url in _postgres_copy(admin, POSTGRES_ADMIN_URL, template=None):
            load(url)
            yield DemoTemplate(sa.engine.make_url(url).database, admin, copies)
            # Dropped together at the end: PostgreSQL waits for a checkpoint on each DROP DATABASE (seconds on a
            # server busy with other runs), and back to back they find little left to write.
            for copy in copies:
                with admin.connect() as connection:
                    connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)'))
        admin.dispose()


class DemoTemplate:
    def __init__(self, where, admin, copies=None):
        self.where, self.admin, self.copies = where, admin, copies

    def copy(self, tmp_path: Path) -> str:
        """The URL of a new copy of the demo database."""
        if self.admin is None:
            shutil.copyfile(self.where, tmp_path / "demo.sqlite")
            return f"sqlite:///{tmp_path / 'demo.sqlite'}"
        name = f"cop_test_{uuid.uuid4().hex[:12]}"
        with self.admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{self.where}"'))
        self.copies.append(name)
        return sa.engine.make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


@pytest.fixture
def demo_database(demo_template, tmp_path):
    """The URL of this test's own copy of the demo database (see `demo`)."""
    return demo_template.copy(tmp_path)


@pytest.fixture
def demo(app):
    """The demo community, as `load_demo()` leaves it, in a database of this test's own (a copy of the session's
    demo database): for tests that read the demo. A test of loading it (a second load, an erasure) still calls
    load_demo itself. The test's `app`, `client` and `app_factory` apps are all on the copy."""
    from cop.communities.models import Community
    from cop.demo import COMMUNITY_SLUG

    return db.session.execute(sa.select(Community).where(Community.slug == COMMUNITY_SLUG)).scalar_one()


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
