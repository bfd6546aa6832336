"""Where uploaded materials are kept: files on local disk under MATERIALS_FOLDER, named by a random key (never
by what the uploader called them). An S3-compatible store is not built: see README ("Materials")."""
import secrets
from pathlib import Path

from flask import current_app


def _folder() -> Path:
    folder = Path(current_app.config["MATERIALS_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _path(key: str) -> Path:
    if not key or "/" in key or "\\" in key or key.startswith("."):
        raise ValueError("not a stored material's key")
    return _folder() / key


def save(data: bytes, suffix: str) -> str:
    """Keep the bytes; return the key to find them again."""
    key = secrets.token_hex(16) + suffix
    _path(key).write_bytes(data)
    return key


class MissingFile(LookupError):
    """The stored file is not there (removed by hand, or another machine's disk)."""


def read(key: str) -> bytes:
    try:
        return _path(key).read_bytes()
    except FileNotFoundError as error:
        raise MissingFile(key) from error


def delete(key: str) -> None:
    _path(key).unlink(missing_ok=True)
