"""Flask extensions, created here once and bound to each app in create_app()."""
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData

# Named constraints so that Alembic migrations are identical on SQLite and PostgreSQL.
naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=naming_convention))
migrate = Migrate()
mail = Mail()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)


def _token_guess_limit() -> str:
    from flask import current_app

    return current_app.config["TOKEN_GUESS_RATE_LIMIT"]


# One budget per client address across every page that takes a secret token in its URL (RSVP and
# its calendar file, calendar feed, sign-in link). Only wrong tokens (404) spend it, so people using their own links
# are never slowed, while guessing is cut to a few tries a minute on all those pages together.
token_guesses = limiter.shared_limit(
    _token_guess_limit, scope="token-guesses", deduct_when=lambda response: response.status_code == 404
)
