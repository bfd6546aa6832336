"""Materials kept in an S3-compatible store (MATERIALS_STORE=s3, issue 22): a real S3 protocol server on 127.0.0.1
(moto's standalone server, started here as its own process), spoken to by boto3 over HTTP, as cop would speak to
MinIO, Ceph or Amazon S3. Upload through the form, the object in the bucket, the event page's list, downloads that
keep the "who may see" check (another community's organiser sees nothing), and removal deleting the object."""
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import boto3
import pytest
from sqlalchemy import select

from cop.extensions import db
from cop.materials import storage
from cop.materials.models import Material
from tests import factories
from tests.conftest import sign_in
from tests.test_materials import PDF, _client, _upload, world  # noqa: F401 - world is a fixture used below

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "cop-test-key", "AWS_SECRET_ACCESS_KEY": "cop-test-secret"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    """moto_server (moto[server], requirements-dev.txt) on a free port of 127.0.0.1, for this module's tests."""
    command = shutil.which("moto_server", path=str(Path(sys.executable).parent)) or shutil.which("moto_server")
    assert command, "moto_server is not installed: pip install -r requirements-dev.txt"
    port = _free_port()
    server = subprocess.Popen([command, "-H", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert server.poll() is None, "moto_server stopped at once"
                assert time.monotonic() < deadline, "moto_server did not listen within 30 s"
                time.sleep(0.1)
        yield endpoint
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def bucket(app, s3_endpoint, monkeypatch, tmp_path):
    """A new bucket for this test, and cop set to keep materials there (credentials from the AWS_* settings)."""
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.delenv(name, raising=False)
    name = f"cop-materials-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="eu-west-2")
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
    app.config.update(MATERIALS_STORE="s3", MATERIALS_S3_BUCKET=name, MATERIALS_S3_ENDPOINT_URL=s3_endpoint,
                      MATERIALS_S3_REGION="eu-west-2", MATERIALS_S3_PREFIX="materials/",
                      MATERIALS_FOLDER=str(tmp_path / "not-used"))
    return name, client


def _objects(bucket) -> dict[str, bytes]:
    name, client = bucket
    listed = client.list_objects_v2(Bucket=name).get("Contents", [])
    return {item["Key"]: client.get_object(Bucket=name, Key=item["Key"])["Body"].read() for item in listed}


def test_an_upload_is_kept_in_the_bucket_and_downloaded_only_by_those_who_may_see_it(app, world, bucket):  # noqa: F811
    event = world["event"]
    assert _upload(_client(app, world, "organiser"), event).status_code == 302
    material = db.session.execute(select(Material)).scalar_one()
    assert _objects(bucket) == {f"materials/{material.stored_name}": PDF}  # under its random key, not its name
    assert "sleid" not in material.stored_name
    assert not (Path(app.config["MATERIALS_FOLDER"]) / material.stored_name).exists()

    came = _client(app, world, "came")
    assert "Sleidiau’r noson" in came.get(f"/events/{event.id}").text
    assert "Sleidiau’r noson" in came.get(f"/events/{event.id}/materials").text
    download = came.get(f"/events/{event.id}/materials/{material.id}")
    assert download.status_code == 200 and download.data == PDF and download.mimetype == "application/pdf"
    assert download.headers["Content-Length"] == str(len(PDF))
    assert "attachment" in download.headers["Content-Disposition"]
    assert download.headers["Cache-Control"] == "private, no-store"
    # Those who may not see it get nothing from the store: a member who did not come, another community's
    # organiser, someone signed out.
    assert _client(app, world, "member").get(f"/events/{event.id}/materials/{material.id}").status_code == 404
    intruder = app.test_client()
    sign_in(intruder, factories.account(factories.member(factories.community(name="Rhwydwaith Arall"), "organiser")))
    assert intruder.get(f"/events/{event.id}/materials/{material.id}").status_code == 404
    assert "Sleidiau’r noson" not in intruder.get(f"/events/{event.id}/materials").text  # a public event's page
    assert app.test_client().get(f"/events/{event.id}/materials/{material.id}").status_code == 404

    # Removing the material deletes its object.
    assert _client(app, world, "organiser").post(
        f"/events/{event.id}/materials/{material.id}/remove").status_code == 302
    assert _objects(bucket) == {} and db.session.execute(select(Material)).first() is None


def test_a_large_file_streams_from_the_bucket_in_pieces_and_a_lost_object_is_not_found(app, world, bucket):  # noqa: F811
    app.config["MATERIALS_MAX_BYTES"] = 2 * 1024 * 1024
    big = PDF + os.urandom(storage.CHUNK * 3 + 123)
    event = world["event"]
    assert _upload(_client(app, world, "organiser"), event, data=big).status_code == 302
    material = db.session.execute(select(Material)).scalar_one()
    opened = storage.stream(material.stored_name)
    pieces = list(opened.chunks)
    assert opened.size == len(big) and len(pieces) > 1 and b"".join(pieces) == big
    came = _client(app, world, "came")
    assert came.get(f"/events/{event.id}/materials/{material.id}").data == big

    name, client = bucket
    client.delete_object(Bucket=name, Key=f"materials/{material.stored_name}")  # emptied behind cop's back
    assert came.get(f"/events/{event.id}/materials/{material.id}").status_code == 404


def test_a_start_with_the_s3_store_and_no_bucket_or_an_unknown_store_is_refused(app_factory):
    import config

    with pytest.raises(config.SettingsError, match="MATERIALS_S3_BUCKET is not set"):
        app_factory(MATERIALS_STORE="s3", MATERIALS_S3_BUCKET="")
    with pytest.raises(config.SettingsError, match="MATERIALS_STORE must be local or s3"):
        app_factory(MATERIALS_STORE="S3 please")


def test_the_s3_store_needs_its_bucket_and_the_store_must_be_known(app):
    app.config.update(MATERIALS_STORE="s3", MATERIALS_S3_BUCKET="")
    with pytest.raises(RuntimeError, match="MATERIALS_S3_BUCKET"):
        storage.save(PDF, ".pdf")
    app.config.update(MATERIALS_STORE="ftp")
    with pytest.raises(RuntimeError, match="MATERIALS_STORE must be one of local, s3"):
        storage.save(PDF, ".pdf")


def test_a_store_that_is_down_refuses_the_upload_clearly_and_keeps_nothing(app, world, bucket, caplog):  # noqa: F811
    """Bad input or a failed part gets a clear error and loses nothing: the endpoint refuses connections (a real
    closed port), so the form says so, no row is written, a download answers 503 and a removal still removes."""
    event = world["event"]
    organiser = _client(app, world, "organiser")
    assert _upload(organiser, event).status_code == 302
    kept = db.session.execute(select(Material)).scalar_one()
    app.config["MATERIALS_S3_ENDPOINT_URL"] = f"http://127.0.0.1:{_free_port()}"  # nothing listens there

    refused = _upload(organiser, event, filename="ail sleidiau.pdf", title="Ail sleidiau")
    assert refused.status_code == 400
    assert "could not be stored just now, so nothing has been kept" in refused.text
    assert db.session.execute(select(Material.id)).scalars().all() == [kept.id]

    assert _client(app, world, "came").get(f"/events/{event.id}/materials/{kept.id}").status_code == 503
    assert organiser.post(f"/events/{event.id}/materials/{kept.id}/remove").status_code == 302
    assert db.session.execute(select(Material)).first() is None  # gone from every page
    assert f"{kept.stored_name} not deleted" in caplog.text  # the stray object is logged for the administrator
    assert list(_objects(bucket)) == [f"materials/{kept.stored_name}"]
