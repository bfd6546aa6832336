"""Absolute links for mails and calendars, built from BASE_URL rather than the request."""
from flask import current_app, has_request_context, url_for


def external_url(endpoint: str, **values) -> str:
    if has_request_context():
        path = url_for(endpoint, **values)
    else:
        # Mail written by a command (reminders, the worker) has no request to build URLs from.
        path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["BASE_URL"].rstrip("/") + path
