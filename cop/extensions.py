"""Flask extensions, created here once and bound to each app in create_app()."""
import functools
from typing import TYPE_CHECKING, Any, cast

from flask import abort, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from limits import parse as parse_limit
from sqlalchemy import CursorResult, Executable, MetaData, event
from sqlalchemy.orm import DeclarativeBase, Session
from werkzeug.exceptions import NotFound

from cop.text import refuse_unsafe_strings

# Named constraints so that Alembic migrations are identical on SQLite and PostgreSQL.
naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """The declarative base of every model: SQLAlchemy 2 typing, and the constraint names above."""

    metadata = MetaData(naming_convention=naming_convention)


db = SQLAlchemy(model_class=Base)
# Models subclass `Model`. At runtime it is Flask-SQLAlchemy's db.Model, made from Base (plus table names from class
# names, `query`, the bind key); type checkers cannot follow a class made at runtime, so they see Base.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model

# No String(n) column stores control or text-direction characters, whichever path wrote it (issue 15).
event.listen(Session, "before_flush", refuse_unsafe_strings)


def rows_changed(statement: Executable) -> int:
    """Run an UPDATE or DELETE in the session and say how many rows it changed (a conditional update
    claims a row when this is 1)."""
    return cast("CursorResult[Any]", db.session.execute(statement)).rowcount


migrate = Migrate()
mail = Mail()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)


def token_guesses(view):
    """One budget of wrong guesses per client address across every page that takes a secret token in its
    URL (RSVP and its calendar file, calendar feed, sign-in link, feedback link).

    The view runs first: a right token is always served and spends nothing (a trust's NAT or a calendar
    service's fetchers put many people behind one address). Only a wrong one (the view's 404) spends the
    budget, and once it is spent wrong guesses get 429 instead of 404. The budget lives in the limiter's
    storage (Redis in production), so every instance shares it.
    """

    @functools.wraps(view)
    def guarded(*args, **kwargs):
        try:
            response = current_app.make_response(view(*args, **kwargs))
        except NotFound:
            if _wrong_guess_refused():
                abort(429)
            raise
        if response.status_code == 404 and _wrong_guess_refused():
            abort(429)
        return response

    return guarded


def _wrong_guess_refused() -> bool:
    """Spend one wrong guess of this address; True when its budget was already spent."""
    if not (current_app.config["RATELIMIT_ENABLED"] and limiter.enabled):
        return False
    budget = parse_limit(current_app.config["TOKEN_GUESS_RATE_LIMIT"])
    return not limiter.limiter.hit(budget, "token-guesses", get_remote_address())
