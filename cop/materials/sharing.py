"""Attaching materials to an event, who may see each, and the one mail that says they are up.

Files are checked before they are kept: the size (MATERIALS_MAX_BYTES), the type by its name's ending AND its
first bytes (a .pdf must start %PDF; Office files are zip archives; a .txt must be UTF-8 text), and, when
MATERIALS_SCAN_COMMAND is set, a scan: the command runs with the upload's path (in place of `{path}`, or as its
last argument) and the file is kept only if it exits 0 (clamdscan exits 1 for a virus, 2 for an error: both
refuse). Links must be http(s).

Who sees what: staff (organisers, facilitators) see every material; "public" ones anyone who may see the
event's materials page (a published public event: even without signing in); "community" ones any member;
"attendees" ones those checked in or holding a confirmed place. Functions flush; the view commits.
"""
import shlex
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select

from cop.communities.access import STAFF
from cop.events.models import Attendance, Event
from cop.extensions import db
from cop.invitations.models import Invitation
from cop.links import external_url
from cop.mail.outbox import queue_mail
from cop.materials import storage
from cop.materials.models import VISIBILITIES, Material, MaterialsNotice
from cop.people.models import Person

SCAN_SECONDS = 120


class MaterialRefused(ValueError):
    """The material cannot be kept or the mail sent; the message says why."""


def _is_text(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"\x00" not in data


def _ZIP(data: bytes) -> bool:  # noqa: N802 - read as a constant in FILE_TYPES
    return data.startswith(b"PK\x03\x04")  # Office files are zip archives
# name ending -> (content type served, check of the first bytes)
FILE_TYPES = {
    ".pdf": ("application/pdf", lambda d: d.startswith(b"%PDF-")),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", _ZIP),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
    ".png": ("image/png", lambda d: d.startswith(b"\x89PNG\r\n\x1a\n")),
    ".jpg": ("image/jpeg", lambda d: d.startswith(b"\xff\xd8\xff")),
    ".jpeg": ("image/jpeg", lambda d: d.startswith(b"\xff\xd8\xff")),
    ".mp4": ("video/mp4", lambda d: d[4:8] == b"ftyp"),
    ".m4a": ("audio/mp4", lambda d: d[4:8] == b"ftyp"),
    ".txt": ("text/plain; charset=utf-8", _is_text),
}


def accepted_endings() -> str:
    return ", ".join(FILE_TYPES)


def check_file(filename: str, data: bytes) -> str:
    """The content type to serve the file as; refuses what is too large, of another type, or not what it says."""
    limit = current_app.config["MATERIALS_MAX_BYTES"]
    if not data:
        raise MaterialRefused("The file is empty.")
    if len(data) > limit:
        raise MaterialRefused(f"The file is larger than {limit // (1024 * 1024)} MB: share a link to it instead.")
    ending = Path(filename.lower()).suffix
    if ending not in FILE_TYPES:
        raise MaterialRefused(f"cop keeps {accepted_endings()} files: share other kinds as a link.")
    content_type, looks_right = FILE_TYPES[ending]
    if not looks_right(data):
        raise MaterialRefused(f"The file is not a real {ending} file.")
    scan(data, ending)
    return content_type


def scan(data: bytes, ending: str) -> None:
    """Run MATERIALS_SCAN_COMMAND on the upload (off when empty); refuse unless it exits 0."""
    command = current_app.config["MATERIALS_SCAN_COMMAND"]
    if not command:
        return
    with tempfile.TemporaryDirectory(prefix="cop-scan-") as folder:
        path = Path(folder) / f"upload{ending}"
        path.write_bytes(data)
        words = shlex.split(command)
        words = [w.replace("{path}", str(path)) for w in words] if "{path}" in command else [*words, str(path)]
        try:
            result = subprocess.run(words, capture_output=True, timeout=SCAN_SECONDS, check=False)  # noqa: S603
        except (OSError, subprocess.TimeoutExpired) as error:
            current_app.logger.error("materials scan could not run: %s", error)
            raise MaterialRefused("The file could not be checked for viruses just now: try again later.") from error
    if result.returncode != 0:
        current_app.logger.warning("materials scan refused an upload (exit %s)", result.returncode)
        raise MaterialRefused("The file did not pass the virus check, so it has not been kept.")


def _visibility(visibility: str) -> str:
    if visibility not in VISIBILITIES:
        raise MaterialRefused("Choose who may see it.")
    return visibility


def add_file(event: Event, title: str, filename: str, data: bytes, visibility: str, by: Person | None) -> Material:
    content_type = check_file(filename, data)
    ending = Path(filename.lower()).suffix
    visibility = _visibility(visibility)
    try:
        stored_name = storage.save(data, ending)
    except storage.StoreUnavailable as error:
        current_app.logger.error("materials store refused an upload: %s", error)
        raise MaterialRefused("The file could not be stored just now, so nothing has been kept: "
                              "try again in a few minutes.") from error
    material = Material(event=event, kind="file", title=title.strip() or Path(filename).stem[:200],
                        filename=Path(filename).name[-200:], content_type=content_type, size=len(data),
                        visibility=visibility, uploaded_by=by, stored_name=stored_name)
    db.session.add(material)
    db.session.flush()
    return material


def add_link(event: Event, title: str, url: str, visibility: str, by: Person | None) -> Material:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise MaterialRefused("Enter a web address starting https://")
    material = Material(event=event, kind="link", title=title.strip(), url=url.strip(),
                        visibility=_visibility(visibility), uploaded_by=by)
    db.session.add(material)
    db.session.flush()
    return material


def remove(material: Material) -> str | None:
    """The material's row goes (flushed); returns its stored file's key, which the caller discards after committing,
    so a failed commit never leaves a row whose file is gone (at worst a stray file stays)."""
    key = material.stored_name if material.kind == "file" else None
    db.session.delete(material)
    db.session.flush()
    return key


def discard_stored(key: str | None) -> None:
    """Delete a removed material's file; a store that cannot be reached leaves a stray file, logged, never an error
    for the organiser (the material is already gone from every page)."""
    if not key:
        return
    try:
        storage.delete(key)
    except storage.StoreUnavailable as error:
        current_app.logger.warning("materials store: %s not deleted (%s): delete it by hand", key, error)


def download_of(material: Material) -> storage.Download:
    """The material's file opened to send on in pieces (storage.MissingFile when it is gone). Call it only after
    may_see: the store itself checks nothing."""
    return storage.stream(material.stored_name)


# --- who sees what ---------------------------------------------------------------------------------------


def came_or_holds_a_place(event: Event, person_id: int | None) -> bool:
    if person_id is None:
        return False
    came = db.session.execute(select(Attendance.id).where(
        Attendance.event_id == event.id, Attendance.person_id == person_id)).first()
    holds = db.session.execute(select(Invitation.id).where(
        Invitation.event_id == event.id, Invitation.person_id == person_id, Invitation.is_live,
        Invitation.place == "confirmed")).first()
    return came is not None or holds is not None


def may_see(material: Material, role: str | None, person_id: int | None) -> bool:
    """role: the visitor's role in the event's community (None: not a member, or not signed in)."""
    if role in STAFF or material.visibility == "public":
        return True
    if material.visibility == "community":
        return role is not None
    return came_or_holds_a_place(material.event, person_id)


def materials_of(event: Event) -> list[Material]:
    return list(db.session.execute(
        select(Material).where(Material.event_id == event.id).order_by(Material.created_at, Material.id)
    ).scalars())


def visible_materials(event: Event, role: str | None, person_id: int | None) -> list[Material]:
    return [m for m in materials_of(event) if may_see(m, role, person_id)]


def material_of(event: Event, material_id: int) -> Material | None:
    return db.session.execute(
        select(Material).where(Material.event_id == event.id, Material.id == material_id)
    ).scalar_one_or_none()


# --- the mail ----------------------------------------------------------------------------------------------


def notice_of(event: Event) -> MaterialsNotice | None:
    return db.session.get(MaterialsNotice, event.id)


def people_to_tell(event: Event) -> list[Person]:
    """Those who came, and those invited (a live invitation, whatever they answered) who did not: a recording
    is for those who could not come."""
    came = select(Attendance.person_id).where(Attendance.event_id == event.id)
    invited = select(Invitation.person_id).where(Invitation.event_id == event.id, Invitation.is_live)
    return list(db.session.execute(
        select(Person).where(Person.id.in_(came) | Person.id.in_(invited)).order_by(Person.id)
    ).scalars())


def tell_materials_are_up(event: Event, by: Person | None) -> int:
    """One mail to each person to tell, once per event. Raises MaterialRefused when nothing is up or it went."""
    if notice_of(event) is not None:
        raise MaterialRefused("People have already been told that the materials are up.")
    if not materials_of(event):
        raise MaterialRefused("Add materials first.")
    link = external_url("materials.index", event_id=event.id)
    people = people_to_tell(event)
    for person in people:
        queue_mail(person.email, f"Materials are up: {event.title}",
                   f"Hello {person.name},\n\nThe slides, recordings and links from {event.title} are on its "
                   f"materials page:\n{link}\n\nSome are for those who came or for members of "
                   f"{event.community.name}: sign in to cop to see them all.\n", community_id=event.community_id)
    db.session.add(MaterialsNotice(event_id=event.id, sent_by_id=by.id if by else None, recipients=len(people)))
    db.session.flush()
    return len(people)
