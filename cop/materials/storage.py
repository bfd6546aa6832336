"""Where uploaded materials are kept, chosen by MATERIALS_STORE: `local` (files on disk under MATERIALS_FOLDER) or
`s3` (objects in an S3-compatible store: MATERIALS_S3_BUCKET, with MATERIALS_S3_ENDPOINT_URL for a store other than
Amazon's, MATERIALS_S3_REGION and MATERIALS_S3_PREFIX; credentials from the standard AWS settings: AWS_ACCESS_KEY_ID
and AWS_SECRET_ACCESS_KEY in the environment, a profile, or the machine's role). Either way a file is named by a
random key, never by what the uploader called it, and is read back only through cop's download view, after its
"who may see" check: the store is never public and its addresses are never handed out.

The functions below (save, read, stream, delete) are all the rest of cop uses; each store is a small class."""
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from flask import current_app

CHUNK = 256 * 1024  # a download is sent on in pieces this size, never held whole in memory


class MissingFile(LookupError):
    """The stored file is not there (removed by hand, another machine's disk, or a bucket emptied)."""


class StoreUnavailable(RuntimeError):
    """The store could not be reached or refused the work (a full disk, the S3 endpoint down, bad credentials)."""


@dataclass
class Download:
    """A stored file opened for sending: its size and its bytes in pieces (the source closes when they end)."""

    size: int
    chunks: Iterator[bytes]


class Store(Protocol):
    def put(self, key: str, data: bytes) -> None: ...

    def open(self, key: str) -> Download: ...

    def delete(self, key: str) -> None: ...


def check_key(key: str) -> str:
    if not key or "/" in key or "\\" in key or key.startswith("."):
        raise ValueError("not a stored material's key")
    return key


class LocalStore:
    """Files under one folder (share it between instances, an NFS mount, or use the S3 store)."""

    def __init__(self, folder: str):
        self.folder = Path(folder)

    def _path(self, key: str) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        return self.folder / check_key(key)

    def put(self, key: str, data: bytes) -> None:
        try:
            self._path(key).write_bytes(data)
        except OSError as error:
            raise StoreUnavailable(str(error)) from error

    def open(self, key: str) -> Download:
        path = self._path(key)
        try:
            handle = path.open("rb")
        except FileNotFoundError as error:
            raise MissingFile(key) from error
        except OSError as error:
            raise StoreUnavailable(str(error)) from error

        def chunks() -> Iterator[bytes]:
            with handle:
                while piece := handle.read(CHUNK):
                    yield piece

        return Download(size=path.stat().st_size, chunks=chunks())

    def delete(self, key: str) -> None:
        try:
            self._path(key).unlink(missing_ok=True)
        except OSError as error:
            raise StoreUnavailable(str(error)) from error


class S3Store:
    """Objects in one bucket of an S3-compatible store, through boto3 (imported only when this store is used)."""

    def __init__(self, bucket: str, prefix: str = "", endpoint_url: str | None = None, region: str | None = None):
        if not bucket:
            raise RuntimeError("MATERIALS_STORE is s3 but MATERIALS_S3_BUCKET is not set")
        import boto3  # only an instance using the S3 store loads it
        from botocore.config import Config
        from botocore.exceptions import BotoCoreError, ClientError

        self.bucket, self.prefix, self.client_error = bucket, prefix, ClientError
        self.failures = (BotoCoreError, ClientError)
        # A store that is down answers the upload form in seconds, not after boto3's default retries.
        config = Config(connect_timeout=5, read_timeout=60, retries={"max_attempts": 2, "mode": "standard"})
        self.client = boto3.client("s3", endpoint_url=endpoint_url or None, region_name=region or None, config=config)

    def _name(self, key: str) -> str:
        return self.prefix + check_key(key)

    def put(self, key: str, data: bytes) -> None:
        try:
            self.client.put_object(Bucket=self.bucket, Key=self._name(key), Body=data,
                                   ContentType="application/octet-stream")
        except self.failures as error:
            raise StoreUnavailable(str(error)) from error

    def open(self, key: str) -> Download:
        try:
            answer: dict[str, Any] = self.client.get_object(Bucket=self.bucket, Key=self._name(key))
        except self.client_error as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
                raise MissingFile(key) from error
            raise StoreUnavailable(str(error)) from error
        except self.failures as error:
            raise StoreUnavailable(str(error)) from error
        body = answer["Body"]

        def chunks() -> Iterator[bytes]:
            try:
                yield from body.iter_chunks(CHUNK)
            finally:
                body.close()

        return Download(size=int(answer["ContentLength"]), chunks=chunks())

    def delete(self, key: str) -> None:
        # Deleting an object that is not there succeeds, as a missing local file does.
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._name(key))
        except self.failures as error:
            raise StoreUnavailable(str(error)) from error


STORES = ("local", "s3")


def store() -> Store:
    """The store this app is configured for, made once per app (a boto3 client is safe to share between threads)."""
    config = current_app.config
    kind = config.get("MATERIALS_STORE", "local")
    if kind not in STORES:
        raise RuntimeError(f"MATERIALS_STORE must be one of {', '.join(STORES)}, not {kind!r}")
    settings = (kind, config["MATERIALS_FOLDER"], config.get("MATERIALS_S3_BUCKET", ""),
                config.get("MATERIALS_S3_PREFIX", ""), config.get("MATERIALS_S3_ENDPOINT_URL", ""),
                config.get("MATERIALS_S3_REGION", ""))
    made = current_app.extensions.get("cop_materials_store")
    if made is None or made[0] != settings:  # made again when a setting changes (tests change them per test)
        chosen: Store = (LocalStore(settings[1]) if kind == "local"
                         else S3Store(settings[2], settings[3], settings[4], settings[5]))
        made = (settings, chosen)
        current_app.extensions["cop_materials_store"] = made
    return made[1]


def save(data: bytes, suffix: str) -> str:
    """Keep the bytes; return the key to find them again."""
    key = secrets.token_hex(16) + suffix
    store().put(key, data)
    return key


def stream(key: str) -> Download:
    """The stored file, opened to send on in pieces; MissingFile when it is not there."""
    return store().open(key)


def read(key: str) -> bytes:
    return b"".join(stream(key).chunks)


def delete(key: str) -> None:
    store().delete(check_key(key))
