"""The outbox: every mail is a row, written in the same transaction as its cause."""
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cop.clock import utcnow
from cop.extensions import Model

STATES = ("pending", "sent", "failed")


class OutboxMessage(Model):
    __tablename__ = "outbox_message"
    __table_args__ = (
        CheckConstraint("state IN ('pending', 'sent', 'failed')", name="state_known"),
        Index("ix_outbox_message_due", "state", "next_try_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str | None] = mapped_column(Text)
    reply_to: Mapped[str | None] = mapped_column(String(254))
    # [{"filename": ..., "content_type": ..., "data": ...}]; calendar files are text.
    attachments: Mapped[list] = mapped_column(JSON, default=list)
    # Which community the mail belongs to, so its organisers can see and resend failures.
    community_id: Mapped[int | None] = mapped_column(index=True)
    state: Mapped[str] = mapped_column(String(10), default="pending")
    tries: Mapped[int] = mapped_column(default=0)
    next_try_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
