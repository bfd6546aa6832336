"""Absolute links for mails and calendars, built from BASE_URL rather than the request."""
from flask import current_app, has_request_context, url_for


def external_url(endpoint: str, **values) -> str:
    if has_request_context():
        path = url_for(endpoint, **values)
    else:
        # Mail queued outside a request (the worker, a CLI command) still gets its links.
        path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["BASE_URL"].rstrip("/") + path
