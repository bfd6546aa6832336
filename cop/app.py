"""The app factory: settings, extensions, blueprints, security headers, CLI."""
import re
from pathlib import Path

from flask import Flask, abort, render_template, request, send_from_directory
from jinja2 import StrictUndefined
from werkzeug.routing import IntegerConverter

import config
from cop.extensions import csrf, db, limiter, login_manager, mail, migrate
from cop.forms_common import DATABASE_INT_MAX

ROOT = Path(__file__).resolve().parent.parent


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(
        "cop",
        instance_path=str(config.INSTANCE_DIR),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "cop" / "static"),
    )
    app.config.update(config.load_settings())
    app.config.update(overrides or {})
    config.apply_mode(app.config)
    _wait_for_sqlite_writers(app)
    _trust_proxies(app)
    _redact_tokens_in_logs(app)
    app.jinja_env.undefined = StrictUndefined

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    mail.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.sign_in"
    login_manager.login_message = "Sign in to see that page."
    login_manager.login_message_category = "info"

    _import_models()
    from cop.jobs import queue as jobs_queue  # long work off the request (issue 19)

    jobs_queue.init_app(app)
    app.url_map.converters["int"] = DatabaseIntConverter
    _register_blueprints(app)
    _register_assets(app)
    _register_security_headers(app)
    _register_error_pages(app)

    from cop import cli

    cli.register(app)
    return app


class DatabaseIntConverter(IntegerConverter):
    """`<int:...>` in every route, bounded by the database's integer: /events/99999999999999999999 is 404."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=DATABASE_INT_MAX, signed=False):  # noqa: A002
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def _redact_tokens_in_logs(app: Flask) -> None:
    """The app's own log and the development server's request log, without the tokens in links."""
    import logging

    from cop import logs

    logs.install(app.logger)
    logs.install(logging.getLogger("werkzeug"))


def _trust_proxies(app: Flask) -> None:
    """Behind a reverse proxy the client's address is in X-Forwarded-For: trust that many hops."""
    hops = app.config["TRUSTED_PROXIES"]
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Flask's documented way to add WSGI middleware.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]


def _wait_for_sqlite_writers(app: Flask) -> None:
    """SQLite has one writer at a time: make a second writer wait for the lock, not fail at once."""
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options["connect_args"] = {**options.get("connect_args", {}), "timeout": app.config["SQLITE_BUSY_TIMEOUT"]}
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _import_models() -> None:
    # Every model must be imported for create_all() and Alembic to see its table.
    from cop.accounts import models as _accounts  # noqa: F401
    from cop.calendars import models as _calendars  # noqa: F401
    from cop.challenges import models as _challenges  # noqa: F401
    from cop.communities import models as _communities  # noqa: F401
    from cop.events import models as _events  # noqa: F401
    from cop.exchange import models as _exchange  # noqa: F401
    from cop.feedback import models as _feedback  # noqa: F401
    from cop.invitations import models as _invitations  # noqa: F401
    from cop.jobs import models as _jobs  # noqa: F401
    from cop.mail import models as _mail  # noqa: F401
    from cop.materials import models as _materials  # noqa: F401
    from cop.people import models as _people  # noqa: F401
    from cop.polls import models as _polls  # noqa: F401
    from cop.programme import models as _programme  # noqa: F401
    from cop.registration import models as _registration  # noqa: F401
    from cop.reports import models as _reports  # noqa: F401
    from cop.seating import models as _seating  # noqa: F401

    _connect_receivers()


def _connect_receivers() -> None:
    """Lower packages never call higher ones: they offer registries and signals, and importing these
    modules connects the higher packages' receivers (see docs/architecture.md)."""
    from cop import privacy as _privacy  # noqa: F401  every feature's personal data sections
    from cop.challenges import views as _challenges  # noqa: F401  the event page's and invitation mail's challenges
    from cop.door import views as _door  # noqa: F401  the event page's door counts
    from cop.invitations import calendar_replies as _calendar_replies  # noqa: F401  calendar answers by mail
    from cop.invitations import notifications as _notifications  # noqa: F401  events moved, cancelled, grown
    from cop.materials import views as _materials  # noqa: F401  the event page's materials


def _register_blueprints(app: Flask) -> None:
    from cop.accounts.views import bp as accounts_bp
    from cop.calendars.views import bp as calendars_bp
    from cop.challenges.views import bp as challenges_bp
    from cop.communities.jobs_views import bp as jobs_bp
    from cop.communities.members_views import bp as people_bp
    from cop.communities.outbox_views import bp as outbox_bp
    from cop.communities.views import bp as communities_bp
    from cop.door.views import bp as door_bp
    from cop.events.views import bp as events_bp
    from cop.exchange.views import bp as exchange_bp
    from cop.feedback.views import bp as feedback_bp
    from cop.invitations.views import bp as invitations_bp
    from cop.mail.views import bp as mail_bp
    from cop.materials.views import bp as materials_bp
    from cop.polls.views import bp as polls_bp
    from cop.privacy.views import bp as personal_data_bp
    from cop.programme.views import bp as programme_bp
    from cop.registration.views import bp as registration_bp
    from cop.reports.views import bp as reports_bp
    from cop.seating.sets_views import bp as sets_bp
    from cop.seating.views import bp as seating_bp
    from cop.site.views import bp as site_bp

    for blueprint in (site_bp, accounts_bp, communities_bp, people_bp, events_bp, door_bp, invitations_bp, mail_bp,
                      outbox_bp, calendars_bp, seating_bp, sets_bp, reports_bp, feedback_bp, personal_data_bp,
                      registration_bp, challenges_bp, polls_bp, materials_bp, programme_bp, jobs_bp,
                      exchange_bp):
        app.register_blueprint(blueprint)


def _register_assets(app: Flask) -> None:
    """Serve the pinned nhsuk-frontend build (CSS, JS, images) from node_modules."""
    frontend_dir = Path(app.config["NHSUK_FRONTEND_DIR"])

    @app.route("/assets/nhsuk/<path:filename>")
    def nhsuk_asset(filename):
        if not frontend_dir.is_dir():
            abort(404)
        if filename == STYLESHEET:
            return _stylesheet_without_web_fonts(frontend_dir / STYLESHEET)
        return send_from_directory(frontend_dir, filename, max_age=86400)


STYLESHEET = "nhsuk-frontend.min.css"
_FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}")


def _stylesheet_without_web_fonts(path: Path):
    """The frontend's CSS without its @font-face rules. They fetch Frutiger from an NHS web host, which cop's
    CSP (self only: no third-party requests) refuses, one console error per font on every page; the package
    ships no font files to serve instead. Without the rules the text is in Arial, as it was after each
    refusal, and the console is clean (issue 17)."""
    from flask import Response

    css = _FONT_FACE.sub("", path.read_text(encoding="utf-8"))
    response = Response(css, mimetype="text/css")
    response.cache_control.max_age = 86400
    response.cache_control.public = True
    return response


def _register_error_pages(app: Flask) -> None:
    @app.before_request
    def refuse_nul_characters():
        # PostgreSQL cannot store NUL in text: refuse it plainly rather than fail when saving.
        if any("\x00" in value for source in (request.args, request.form) for _, value in source.items(multi=True)):
            abort(400, "The form contained a character that cannot be stored (NUL). Remove it and try again.")

    @app.errorhandler(400)
    def bad_request(error):
        return render_template("site/error.html", heading="Sorry, that request could not be handled",
                               message=error.description), 400

    @app.errorhandler(403)
    def forbidden(error):
        return render_template("site/error.html", heading="You cannot do that",
                               message=error.description), 403

    @app.errorhandler(500)
    def server_error(error):
        # Often the database went away mid-request: end the broken transaction so that the
        # page (which asks who is signed in) gets a fresh connection, and never show a traceback.
        try:
            db.session.rollback()
            return render_template("site/error.html", heading="Sorry, there is a problem with the service",
                                   message="Try again in a moment. If you were sending a form, check whether it "
                                           "was saved before you send it again."), 500
        except Exception:  # noqa: BLE001 - the database is still down: a page without it
            db.session.rollback()
            return "Sorry, there is a problem with the service. Try again later.", 500, {"Content-Type": "text/plain"}


def _register_security_headers(app: Flask) -> None:
    @app.after_request
    def add_security_headers(response):
        # Serve nothing from third parties: the NHS CSS asks for web fonts from an
        # NHS host; blocking them lets the font fall back to Arial.
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if app.config["BASE_URL"].startswith("https://"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        # Pages carry personal data or a token (RSVP, feedback, my data, any signed-in page): no browser
        # or proxy keeps a copy. Assets, and calendar files (which set their own), are cached as they say.
        if request.endpoint not in ("static", "nhsuk_asset"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response
