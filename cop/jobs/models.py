"""A job: one piece of long work (a print pack, a bulk invitation, an import), its state and its output."""
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column

from cop.clock import utcnow
from cop.extensions import Model

STATES = ("queued", "running", "done", "failed", "cancelled")
FINISHED = ("done", "failed", "cancelled")


class Job(Model):
    __tablename__ = "job"
    __table_args__ = (
        CheckConstraint("state IN ('queued', 'running', 'done', 'failed', 'cancelled')", name="state_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    # What it is about, in the organiser's words ("Print pack for Big Room, version 2").
    title: Mapped[str] = mapped_column(String(300))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("community.id", ondelete="CASCADE"), index=True)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"), index=True)
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    # Set while the job is queued or running, cleared when it ends: the unique index refuses a second start.
    active_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    # A finished job's output can be reused by a later request with the same key (a print pack of one plan).
    cache_key: Mapped[str | None] = mapped_column(String(200), index=True)
    state: Mapped[str] = mapped_column(String(20), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(Text, default="")  # the outcome, or why it failed, in plain words
    next_url: Mapped[str] = mapped_column(String(500), default="")  # where the result is seen
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    output_name: Mapped[str | None] = mapped_column(String(200))
    output_type: Mapped[str | None] = mapped_column(String(100))
    output: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))

    @property
    def finished(self) -> bool:
        return self.state in FINISHED


class JobUpload(Model):
    """A file uploaded for a preview (a guest list), kept on the server until it is confirmed, so the
    preview's form does not carry the file back (issue 19: 1.2 MB posted back at 5,000 rows)."""

    __tablename__ = "job_upload"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = deferred(mapped_column(Text, nullable=False))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
