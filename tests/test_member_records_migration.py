"""Migration 0009 moves what a community knows of someone from the person onto each membership,
without loss: tried on a copy of the demo as the code before it built it (people, organisations,
the community, memberships, accounts), plus a second community sharing one of its people.
"""
import gzip
import json
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from cop import create_app
from cop.extensions import db
from tests.conftest import TEST_SETTINGS

BEFORE = "94d18a952af7"
COPY = Path(__file__).parent / "fixtures" / "demo_before_member_records.json.gz"
pytestmark = pytest.mark.demo  # a copy of the demo, as an earlier revision built it

RECORD = ("organisation_id", "profession", "role_title", "interests", "dietary_needs", "access_needs",
          "line_manager_id")


def _rows():
    data = json.loads(gzip.decompress(COPY.read_bytes()))
    # A second community holding one demo person, as a system of many networks has.
    data["community"].append({**data["community"][0], "id": 2, "slug": "second-network", "name": "Second network"})
    shared = next(p for p in data["person"] if p["role_title"] and p["organisation_id"])
    data["membership"].append({**data["membership"][0], "id": 10_000, "community_id": 2, "person_id": shared["id"],
                               "role": "member"})
    return data


def _insert(connection, data) -> None:
    metadata = sa.MetaData()
    metadata.reflect(connection)
    for name in ("organisation", "community", "person", "membership", "account"):
        table = metadata.tables[name]
        rows = []
        for row in data[name]:
            converted = {}
            for key, value in row.items():
                kind = table.c[key].type
                if isinstance(kind, sa.DateTime) and isinstance(value, str):
                    value = datetime.fromisoformat(value)
                elif isinstance(kind, sa.Boolean) and value is not None:
                    value = bool(value)
                converted[key] = value
            rows.append(converted)
        # Line managers point at people inserted in the same statement: the database checks at the end.
        connection.execute(table.insert(), rows)
    if connection.dialect.name == "postgresql":
        for name in ("organisation", "community", "person", "membership", "account"):
            connection.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                       f"(SELECT max(id) FROM {name}))"))




def test_member_records_carry_what_each_person_held(empty_database):
    app = create_app({**TEST_SETTINGS, "SQLALCHEMY_DATABASE_URI": empty_database})
    data = _rows()
    people = {p["id"]: p for p in data["person"]}
    with app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as connection:
            _insert(connection, data)
        upgrade()
        with db.engine.connect() as connection:
            memberships = connection.execute(sa.text(
                f"SELECT id, person_id, community_id, role, {', '.join(RECORD)} FROM membership ORDER BY id"
            )).mappings().all()
            after = {row.id: row for row in connection.execute(sa.text("SELECT id, name, email FROM person")).all()}
            accounts = connection.execute(sa.text("SELECT count(*) FROM account")).scalar_one()
        # Every membership now holds its person's details; identities and accounts are unchanged.
        assert len(memberships) == len(data["membership"]) == 221
        for membership in memberships:
            before = people[membership["person_id"]]
            assert {column: membership[column] for column in RECORD} == {column: before[column] for column in RECORD}
        assert {pid: (row.name, row.email) for pid, row in after.items()} == {
            p["id"]: (p["name"], p["email"]) for p in data["person"]}
        assert accounts == 3
        assert sum(1 for m in memberships if m["line_manager_id"]) >= 1  # the demo's learning-set cohort
        assert {m["community_id"] for m in memberships} == {1, 2}

        # And back: downgrading puts each person's details back on the person.
        downgrade(revision=BEFORE)
        with db.engine.connect() as connection:
            restored = {row["id"]: row for row in connection.execute(sa.text(
                f"SELECT id, {', '.join(RECORD)} FROM person")).mappings()}
        for person in data["person"]:
            assert {column: restored[person["id"]][column] for column in RECORD} == {
                column: person[column] for column in RECORD}
        db.engine.dispose()
