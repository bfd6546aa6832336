"""Absolute links for mails and calendars, built from BASE_URL rather than the request."""
from flask import current_app, url_for


def external_url(endpoint: str, **values) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + url_for(endpoint, **values)
