"""A person's personal calendar feed token."""
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cop.clock import utcnow
from cop.extensions import Model
from cop.people.models import Person


class CalendarToken(Model):
    """The secret in a person's feed URL, kept only as a hash.

    The token itself is HMAC(SECRET_KEY, person id and salt): cop can show the URL
    again on the person's pages, while the database alone holds nothing usable.
    Resetting revokes this row and starts another with a fresh salt.
    """

    __tablename__ = "calendar_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    salt: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    person: Mapped[Person] = relationship()
