"""Logs without secrets: the token in a link (RSVP, feedback, calendar feed, sign-in, e-mail change, challenge,
registration) is a password.

`redact_tokens()` replaces the token segment of every tokenised path in a log line, whether the line
holds a path (`GET /rsvp/abc... HTTP/1.1`) or a whole URL (a Referer, a link in a message). The app's
logs and the development server's use `RedactTokens` (added in create_app); gunicorn's access and error
logs use `RedactingGunicornLogger` (deploy/gunicorn.conf.py). tests/test_security.py checks that every
route with a `<token>` is covered.
"""
import logging
import re

# A path starts the string, follows a space, a quote, "=" or "(", or follows a scheme and host.
_TOKEN_PATH = re.compile(
    r"""(?P<before>^|[\s"'=(]|://[^/\s"']+)(?P<prefix>/(?:rsvp|feedback|calendar|sign-in/link|account/email|register/confirm|take-part|polls)/)"""
    r"""(?P<token>[^/?#\s"']+?)(?P<suffix>\.ics)?(?=[/?#\s"')]|$)"""
)
REDACTED = "[token]"


def redact_tokens(text: str) -> str:
    return _TOKEN_PATH.sub(lambda m: f"{m['before']}{m['prefix']}{REDACTED}{m['suffix'] or ''}", text)


class RedactTokens(logging.Filter):
    """A logging filter that formats the record and takes the tokens out of its message."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_tokens(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def install(logger: logging.Logger) -> None:
    if not any(isinstance(existing, RedactTokens) for existing in logger.filters):
        logger.addFilter(RedactTokens())


try:
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # gunicorn is for production; the app does not need it
    _GunicornLogger = None

if _GunicornLogger is not None:
    class RedactingGunicornLogger(_GunicornLogger):
        """gunicorn's logger, its access log (request line, Referer) and error log without tokens."""

        def setup(self, cfg) -> None:
            super().setup(cfg)
            install(self.access_log)
            install(self.error_log)
