"""The one clock: naive UTC datetimes, as every table stores them."""
from datetime import datetime, timezone


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)
