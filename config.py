"""Settings, read from the environment, with embedded defaults for development.

Every setting is listed in README.md's configuration table.
"""
import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("COP_INSTANCE_PATH", BASE_DIR / "instance"))


def _development_secret_key() -> str:
    """A random key generated once and kept in instance/, so sessions survive restarts."""
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    key_file = INSTANCE_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{INSTANCE_DIR / 'cop.sqlite'}"
    # Accept the common postgres:// and postgresql:// forms and always use psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


class SettingsError(RuntimeError):
    """A production start without a setting that production needs: the message names the setting."""


def load_settings() -> dict:
    """The app's settings as a dict, so tests can override any of them.

    Production is the default. Development (a generated SECRET_KEY kept in instance/, mail kept on
    the dev mailbox page) is chosen explicitly with COP_DEVELOPMENT=1; see apply_mode().
    """
    return {
        "DEVELOPMENT": _flag("COP_DEVELOPMENT", False),
        "SECRET_KEY": os.environ.get("SECRET_KEY") or None,
        "SQLALCHEMY_DATABASE_URI": _database_url(),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # The development server's port (`make run`, `cop dev`); BASE_URL follows it unless set.
        "PORT": int(os.environ.get("PORT", "5000")),
        "BASE_URL": os.environ.get("BASE_URL", f"http://127.0.0.1:{int(os.environ.get('PORT', '5000'))}"),
        # How often the development server runs the scheduled jobs (reminders, chases, feedback requests).
        "DEV_JOBS_SECONDS": float(os.environ.get("DEV_JOBS_SECONDS", "60")),
        # Mail: "mailbox" keeps mail on the local dev mailbox page; "smtp" sends it.
        # (None here: apply_mode() chooses "mailbox" in development and "smtp" in production.)
        "MAIL_BACKEND": os.environ.get("MAIL_BACKEND") or None,
        "MAIL_SERVER": os.environ.get("MAIL_SERVER") or None,
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_USE_TLS": _flag("MAIL_USE_TLS", False),
        "MAIL_USE_SSL": _flag("MAIL_USE_SSL", False),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME"),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD"),
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "cop <no-reply@cop.localhost>"),
        "MAIL_TIMEOUT": float(os.environ.get("MAIL_TIMEOUT", "10")),
        "SIGN_IN_LINK_MINUTES": int(os.environ.get("SIGN_IN_LINK_MINUTES", "15")),
        # Invitations: how long a place offered from the waitlist is held, reminder days before
        # the event, when to chase those who have not answered, and an optional Reply-To.
        "OFFER_HOURS": float(os.environ.get("OFFER_HOURS", "48")),
        "REMINDER_DAYS": os.environ.get("REMINDER_DAYS", "7,1"),
        "CHASE_DAYS_BEFORE_DEADLINE": float(os.environ.get("CHASE_DAYS_BEFORE_DEADLINE", "3")),
        "INVITATION_REPLY_TO": os.environ.get("INVITATION_REPLY_TO", ""),
        # Calendar answers by mail: the address whose plus-addresses (replies+<tag>@...) each
        # invitation names as ORGANIZER; the mail server delivers them to `cop inbound`. Empty: off.
        "MAIL_REPLY_ADDRESS": os.environ.get("MAIL_REPLY_ADDRESS", ""),
        # Feedback: a new form stays open this many days after its event; a reminder goes this
        # many days after the request to those who have not answered (0: none). Organisers can
        # change both per event.
        "FEEDBACK_OPEN_DAYS": int(os.environ.get("FEEDBACK_OPEN_DAYS", "14")),
        "FEEDBACK_REMINDER_DAYS": int(os.environ.get("FEEDBACK_REMINDER_DAYS", "3")),
        # Seconds a SQLite writer waits for another writer's lock before giving up.
        "SQLITE_BUSY_TIMEOUT": float(os.environ.get("SQLITE_BUSY_TIMEOUT", "30")),
        # Long work (cop/jobs): the queue's broker, how long a job may go without a heartbeat before it is
        # queued again, when its starter is mailed, and the size past which a worker process is recycled.
        "JOBS_BROKER_URL": os.environ.get("JOBS_BROKER_URL") or f"sqlite:///{INSTANCE_DIR / 'jobs.sqlite'}",
        "JOBS_STALL_SECONDS": float(os.environ.get("JOBS_STALL_SECONDS", "60")),
        "JOBS_MAIL_AFTER_SECONDS": float(os.environ.get("JOBS_MAIL_AFTER_SECONDS", "20")),
        "JOBS_MAX_MEMORY_MB": int(os.environ.get("JOBS_MAX_MEMORY_MB", "600")),
        # Invitations to more people than this at once are sent by a job (its page shows the progress).
        "INVITE_IN_BACKGROUND_OVER": int(os.environ.get("INVITE_IN_BACKGROUND_OVER", "100")),
        # Guest lists of more rows than this are written by a job on confirming.
        "IMPORT_IN_BACKGROUND_OVER": int(os.environ.get("IMPORT_IN_BACKGROUND_OVER", "200")),
        # A community report of more attendances than this offers its CSV as a job (cop/reports/csv_job.py).
        "REPORT_CSV_IN_BACKGROUND_OVER": int(os.environ.get("REPORT_CSV_IN_BACKGROUND_OVER", "10000")),
        "REPORT_UPDATE_IN_BACKGROUND_OVER": int(os.environ.get("REPORT_UPDATE_IN_BACKGROUND_OVER", "5000")),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": _flag("RATELIMIT_ENABLED", True),
        "SIGN_IN_RATE_LIMIT": os.environ.get("SIGN_IN_RATE_LIMIT", "10 per minute"),
        "TOKEN_GUESS_RATE_LIMIT": os.environ.get("TOKEN_GUESS_RATE_LIMIT", "20 per minute"),
        # Open registration (cop/registration): POSTs per client address and per event, the links' lifetime,
        # and how many unconfirmed registrations one event holds at a time.
        "REGISTRATION_RATE_LIMIT": os.environ.get("REGISTRATION_RATE_LIMIT", "5 per minute;30 per day"),
        "REGISTRATION_EVENT_RATE_LIMIT": os.environ.get("REGISTRATION_EVENT_RATE_LIMIT", "60 per minute"),
        "REGISTRATION_LINK_HOURS": int(os.environ.get("REGISTRATION_LINK_HOURS", "24")),
        "REGISTRATION_UNCONFIRMED_CAP": int(os.environ.get("REGISTRATION_UNCONFIRMED_CAP", "500")),
        # Challenges (cop/challenges): ideas, comments and supports one person may post, and how many ideas someone
        # follows before the moves of ideas come to them as one digest instead of a mail each.
        "CHALLENGE_POST_RATE_LIMIT": os.environ.get("CHALLENGE_POST_RATE_LIMIT", "20 per minute;500 per day"),
        "CHALLENGE_DIGEST_FOLLOWING": int(os.environ.get("CHALLENGE_DIGEST_FOLLOWING", "5")),
        # Reverse proxies in front of cop that set X-Forwarded-For/-Proto (rate limits need the client's address).
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
        # None: on when BASE_URL starts with https (see apply_mode()).
        "SESSION_COOKIE_SECURE": _flag("SESSION_COOKIE_SECURE", False) if os.environ.get("SESSION_COOKIE_SECURE") else None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", str(2 * 1024 * 1024))),
        # Materials after an event (issue 22): where uploaded files are kept, the largest (its own limit, above
        # MAX_CONTENT_LENGTH for the upload form only), and a command run on each upload (a virus scan; off).
        # Where files are kept: "local" (MATERIALS_FOLDER) or "s3", an S3-compatible store (credentials from the
        # standard AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY settings; see cop/materials/storage.py and README).
        "MATERIALS_STORE": os.environ.get("MATERIALS_STORE", "local"),
        "MATERIALS_S3_BUCKET": os.environ.get("MATERIALS_S3_BUCKET", ""),
        "MATERIALS_S3_ENDPOINT_URL": os.environ.get("MATERIALS_S3_ENDPOINT_URL", ""),
        "MATERIALS_S3_REGION": os.environ.get("MATERIALS_S3_REGION", ""),
        "MATERIALS_S3_PREFIX": os.environ.get("MATERIALS_S3_PREFIX", "materials/"),
        "MATERIALS_FOLDER": os.environ.get("MATERIALS_FOLDER", str(INSTANCE_DIR / "materials")),
        "MATERIALS_MAX_BYTES": int(os.environ.get("MATERIALS_MAX_BYTES", str(25 * 1024 * 1024))),
        "MATERIALS_SCAN_COMMAND": os.environ.get("MATERIALS_SCAN_COMMAND", ""),
        # How long the seating engine searches for a plan; SEATING_ITERATIONS (a number of moves)
        # instead makes plans reproducible and is what the tests use.
        "SEATING_SECONDS": float(os.environ.get("SEATING_SECONDS", "3")),
        "SEATING_ITERATIONS": int(os.environ["SEATING_ITERATIONS"]) if os.environ.get("SEATING_ITERATIONS") else None,
        # A plan for more people than this is made by a job (issue 19): the engine may take its whole budget.
        "PLAN_IN_BACKGROUND_OVER": int(os.environ.get("PLAN_IN_BACKGROUND_OVER", "150")),
        # What draws the seating print pack: "fpdf2" (drawn directly, fast) or "weasyprint" (the print view's HTML).
        "PRINT_RENDERER": os.environ.get("PRINT_RENDERER", "fpdf2"),
        "NHSUK_FRONTEND_DIR": os.environ.get(
            "NHSUK_FRONTEND_DIR", str(BASE_DIR / "node_modules" / "nhsuk-frontend" / "dist" / "nhsuk")
        ),
    }


def apply_mode(settings: dict) -> None:
    """Fill in the development defaults, or refuse a production start that lacks a setting.

    Called on the final settings (after any overrides). In production (no COP_DEVELOPMENT) there is no
    generated key (several instances with their own keys would break each other's sessions) and no dev
    mailbox (it shows every message, sign-in links included, to anyone).
    """
    if settings.get("DEVELOPMENT"):
        settings["SECRET_KEY"] = settings.get("SECRET_KEY") or _development_secret_key()
        settings["MAIL_BACKEND"] = settings.get("MAIL_BACKEND") or ("smtp" if settings.get("MAIL_SERVER") else "mailbox")
        settings["MAIL_SERVER"] = settings.get("MAIL_SERVER") or "127.0.0.1"
    else:
        settings["MAIL_BACKEND"] = settings.get("MAIL_BACKEND") or "smtp"
        if not settings.get("SECRET_KEY"):
            raise SettingsError(
                "SECRET_KEY is not set: production needs a long random SECRET_KEY, the same on every instance "
                "(or set COP_DEVELOPMENT=1 for a development server)")
        if settings["MAIL_BACKEND"] == "mailbox":
            raise SettingsError(
                "MAIL_BACKEND=mailbox is for development only: set MAIL_SERVER to an SMTP server "
                "(or set COP_DEVELOPMENT=1 for a development server)")
        if not settings.get("MAIL_SERVER"):
            raise SettingsError(
                "MAIL_SERVER is not set: production sends mail through an SMTP server "
                "(or set COP_DEVELOPMENT=1 for a development server with the dev mailbox)")
    store = settings.get("MATERIALS_STORE", "local")
    if store not in ("local", "s3"):
        raise SettingsError(f"MATERIALS_STORE must be local or s3, not {store!r}")
    if store == "s3" and not settings.get("MATERIALS_S3_BUCKET"):
        raise SettingsError("MATERIALS_STORE is s3 but MATERIALS_S3_BUCKET is not set: name the bucket for materials")
    if settings.get("SESSION_COOKIE_SECURE") is None:
        settings["SESSION_COOKIE_SECURE"] = str(settings.get("BASE_URL", "")).startswith("https://")
