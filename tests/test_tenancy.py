"""Tenancy, tried as an attacker would: the organiser of community B against the people of community A
and against a site administrator, through the real forms (password sign-in, CSRF on), on SQLite and
PostgreSQL. Every attack must be refused, or land only in B's own record, with nothing of A's or of
anyone's identity changed. Mail is delivered to a real SMTP server and read from its capture.
"""
import csv
import io
import re

import pytest
from sqlalchemy import select

from cop.accounts.models import Account, EmailChange, SignInLink
from cop.communities.models import Membership
from cop.extensions import db
from cop.mail.outbox import deliver_due
from cop.people.models import Person
from tests import factories
from tests.smtp import smtp_server  # noqa: F401  (the fixture)

PASSWORD = "correct horse battery staple"
ATTACKER_MAILBOX = "mallory@attacker.example"


class Visitor:
    """A browser of one person: signs in with a password and sends every form with its CSRF token.

    Each request runs in an app context of its own (as on a server), so nothing carries over between
    two visitors' requests; the test's own session is committed around them, to read what they did."""

    def __init__(self, app, email=None):
        self.app = app
        self.client = app.test_client()
        if email:
            page = self.get("/sign-in")
            answer = self.send("/sign-in", {"email": email, "password": PASSWORD, "csrf_token": self.token(page)})
            assert answer.status_code == 302, "the sign-in should work"

    @staticmethod
    def token(page) -> str:
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)

    def _request(self, method, url, **options):
        db.session.commit()
        with self.app.app_context():
            response = self.client.open(url, method=method, **options)
        db.session.commit()  # and forget what the test had loaded: the visitor may have changed it
        return response

    def get(self, url):
        return self._request("GET", url)

    def send(self, url, data):
        return self._request("POST", url, data=data, content_type="multipart/form-data")

    def post(self, form_url, data, action=None, files=None):
        """Open the form's page, then send it (to `action`, or back to the page) with the page's token."""
        page = self.get(form_url)
        assert page.status_code == 200, f"{form_url} answered {page.status_code}"
        return self.send(action or form_url, {**data, "csrf_token": self.token(page), **(files or {})})


@pytest.fixture
def world(app_factory, smtp_server):  # noqa: F811
    app = app_factory(WTF_CSRF_ENABLED=True, **smtp_server.settings())
    with app.app_context():
        a = factories.community(slug="cymuned-a", name="Cymuned A")
        b = factories.community(slug="community-b", name="Community B")
        acute = factories.organisation(name="Ysbyty Glan Clwyd", sector="acute", place="Bodelwyddan")
        organiser_a = factories.member(a, "organiser", factories.person(name="Siân ap Rhys", email="sian@a.example"))
        zoe = factories.member(a, "member", factories.person(
            name="Zoë Ó Súilleabháin", email="zoe@a.example", org=acute, profession="nursing",
            role_title="Matron", interests="frailty, 认知症 care", dietary_needs="Halal",
            access_needs="Wheelchair user", notes="Prefers mornings"))
        rhodri = factories.member(a, "member", factories.person(name="Rhodri Ó Briain", email="rhodri@a.example"))
        factories.member(a, "member", factories.person(name="Eluned Ŵyn", email="eluned@a.example"))
        mallory = factories.person(name="Mallory Mischief", email="mallory@b.example")
        organiser_b = factories.member(b, "organiser", mallory)
        admin = factories.person(name="Åse Administrator", email="admin@cop.example")
        inviter = factories.member(b, "member", factories.person(name="Bryn Inviter", email="bryn@b.example"))
        db.session.flush()
        factories.record(b, inviter).invite_quota = 3
        event_b = factories.event(b, title="B's Big Room")
        db.session.commit()
        for someone, is_admin in ((organiser_a, False), (zoe, False), (organiser_b, False), (admin, True),
                                  (inviter, False)):
            factories.account(someone, PASSWORD, is_admin=is_admin)
        yield {"app": app, "smtp": smtp_server, "a": a, "b": b, "zoe": zoe, "rhodri": rhodri, "admin": admin,
               "event_b": event_b,
               "mallory": Visitor(app, "mallory@b.example")}


def identities_and_a() -> dict:
    """Everything the attacks must leave alone: every identity and account, and all of A's records."""
    db.session.expire_all()
    people = {p.id: (p.name, p.email) for p in db.session.execute(select(Person)).scalars()}
    accounts = {a.person_id: (a.is_admin, a.password_hash) for a in db.session.execute(select(Account)).scalars()}
    records = {
        m.person_id: (m.role, m.organisation_id, m.profession, m.role_title, m.interests, m.dietary_needs,
                      m.access_needs, m.notes, m.line_manager_id)
        for m in db.session.execute(select(Membership).where(Membership.community_id == 1)).scalars()
    }
    return {"people": people, "accounts": accounts, "records": records}


def unchanged(before: dict) -> bool:
    after = identities_and_a()
    return {k: v for k, v in after.items() if k != "people"} == {k: v for k, v in before.items() if k != "people"} \
        and all(after["people"].get(pid) == identity for pid, identity in before["people"].items())


def links_mailed_to(world, address: str) -> list[str]:
    deliver_due()
    found = []
    for message in world["smtp"].handler.messages():
        if address in message["To"]:
            found += re.findall(r"http://cop\.test/\S+", message.get_body(("plain",)).get_content())
    return found


def test_every_attack_from_community_b_is_refused(world):
    mallory, zoe, admin, b = world["mallory"], world["zoe"], world["admin"], world["b"]
    refused = []
    before = identities_and_a()

    # 1. Account takeover: add the site administrator to B, try to change their address, ask for a sign-in link.
    added = mallory.post("/communities/community-b/people/new", {
        "name": "Not The Admin", "email": "Admin@cop.example", "profession": "other", "role": "member",
        "invite_quota": "0"})
    assert added.status_code == 302  # B may record anyone it knows the address of, in its own list
    edit = mallory.post(f"/communities/community-b/people/{admin.id}/edit", {
        "name": "Mallory", "email": ATTACKER_MAILBOX, "profession": "other", "role": "member", "invite_quota": "0"})
    assert edit.status_code == 302
    mallory.post("/sign-in/link", {"email": ATTACKER_MAILBOX})
    assert links_mailed_to(world, ATTACKER_MAILBOX) == []
    assert db.session.get(Person, admin.id).email == "admin@cop.example"
    assert db.session.execute(select(SignInLink).where(SignInLink.person_id == admin.id)).first() is None
    refused.append("account takeover through people/new and edit")

    # 2. The guest-list import: known addresses read the same as unknown ones, and overwrite nothing.
    def preview(rows):
        text = "name,email,role_title,dietary_needs\n" + "".join(f"{n},{e},Spy,None\n" for n, e in rows)
        page = mallory.post("/communities/community-b/people/import", {},
                            files={"guest_list": (io.BytesIO(text.encode()), "list.csv")})
        return page, text

    known, text = preview([("Renamed By B", "zoe@a.example"), ("Renamed Siân", "sian@a.example")])
    unknown, _ = preview([("New One", "new1@b.example"), ("New Two", "new2@b.example")])
    say = re.compile(r"\d+ (?:person|people) will be added and \d+ updated")
    assert say.search(known.text).group() == say.search(unknown.text).group() == "2 people will be added and 0 updated"
    confirm = mallory.send("/communities/community-b/people/import/confirm",
                           {"csv_text": text, "csrf_token": Visitor.token(known)})
    assert confirm.status_code == 302
    assert db.session.get(Person, zoe.id).name == "Zoë Ó Súilleabháin"
    assert db.session.get(Person, world["rhodri"].id).name == "Rhodri Ó Briain"
    refused.append("import renaming or reading a known person")

    # B's people CSV shows B's record of Zoë, never A's.
    exported = mallory.get("/communities/community-b/people.csv").text
    row = next(r for r in csv.DictReader(io.StringIO(exported.lstrip("\ufeff"))) if r["email"] == "zoe@a.example")
    assert (row["role_title"], row["dietary_needs"], row["organisation"], row["access_needs"]) == (
        "Spy", "None", "", "")
    assert not any(secret in exported for secret in ("Matron", "Halal", "Wheelchair", "Ysbyty", "frailty"))
    refused.append("people CSV showing another community's record")

    # 3. Export and erasure through B: B's part only; never an erasure of someone held elsewhere.
    data = mallory.get(f"/communities/community-b/people/{zoe.id}/data.json").text
    assert "Spy" in data and not any(s in data for s in ("Matron", "Halal", "Cymuned A", "has_password"))
    refused.append("export of what other communities hold")
    for victim in (zoe, admin):
        page = mallory.get(f"/communities/community-b/people/{victim.id}/erase")
        assert page.status_code == 403
        erase = mallory.send(f"/communities/community-b/people/{victim.id}/erase",
                             {"understood": "y", "csrf_token": Visitor.token(mallory.get("/account"))})
        assert erase.status_code == 403
        refused.append(f"erasure of {'a member of another community' if victim is zoe else 'the site administrator'}")

    # 4. The door's walk-in form, with Zoë's address and another name and organisation.
    walk_in = mallory.post(f"/events/{world['event_b'].id}/walk-in", {
        "name": "Walk-in Renamed", "email": "zoe@a.example", "organisation": "Fake Trust"})
    assert walk_in.status_code == 302
    refused.append("walk-in renaming a known person")

    # 5. Pasted invitations: the message for a known address is the one for an unknown address.
    def invite_problem(address):
        page = mallory.post(f"/events/{world['event_b'].id}/invite",
                            {"who": "nobody", "addresses": address, "action": "preview"})
        return re.search(r"is not in this community yet[^<]*", page.text).group().replace(address, "ADDRESS")

    assert invite_problem("rhodri@a.example") == invite_problem("nobody-at-all@b.example")
    sent = mallory.post(f"/events/{world['event_b'].id}/invite",
                        {"who": "nobody", "addresses": "Renamed Again <rhodri@a.example>", "action": "send"})
    assert sent.status_code == 302
    refused.append("pasted invitation revealing or renaming a known person")

    # 6. "Invite from my network", by B's trusted member: the same answers, and no renaming.
    bryn = Visitor(world["app"], "bryn@b.example")
    network = f"/events/{world['event_b'].id}/invite-my-network"

    def network_problem(address):
        page = bryn.post(network, {"addresses": address, "action": "preview"})
        return re.search(r"is not in this community yet[^<]*", page.text).group().replace(address, "ADDRESS")

    assert network_problem("eluned@a.example") == network_problem("never-seen@b.example")
    renamed = {"addresses": "Bryn's Name For Her <eluned@a.example>", "action": "send"}
    assert bryn.post(network, renamed).status_code == 302
    refused.append("invite from my network revealing or renaming a known person")

    # Nothing of A's, and no identity or account, changed; B holds its own records of them.
    assert unchanged(before)
    b_records = {m.person_id: m for m in db.session.execute(
        select(Membership).where(Membership.community_id == b.id)).scalars()}
    assert b_records[zoe.id].role_title == "Spy" and b_records[zoe.id].organisation.name == "Fake Trust"
    assert db.session.execute(
        select(Person.name).where(Person.email == "eluned@a.example")).scalar_one() == "Eluned Ŵyn"
    assert len(refused) == 9


def test_b_cannot_open_a_s_members_or_objects(world):
    mallory, zoe = world["mallory"], world["zoe"]
    assert mallory.get(f"/communities/community-b/people/{zoe.id}/edit").status_code == 404
    assert mallory.get(f"/communities/cymuned-a/people/{zoe.id}/edit").status_code == 403
    assert mallory.get(f"/communities/cymuned-a/people/{zoe.id}/data.json").status_code == 403
    assert mallory.get("/communities/cymuned-a/people.csv").status_code == 403


def test_an_organiser_erases_only_someone_nobody_else_holds(world):
    b, mallory = world["b"], world["mallory"]
    only_here = factories.member(b, "guest", factories.person(name="Ffion Only-B", email="ffion@b.example"))
    db.session.commit()
    page = mallory.get(f"/communities/community-b/people/{only_here.id}/erase")
    assert page.status_code == 200
    erased = mallory.send(f"/communities/community-b/people/{only_here.id}/erase",
                          {"understood": "y", "csrf_token": Visitor.token(page)})
    assert erased.status_code == 302
    assert db.session.get(Person, only_here.id).name == "Erased person"


def test_only_the_person_changes_their_address_confirmed_from_the_new_one(world):
    zoe = world["zoe"]
    before = identities_and_a()
    visitor = Visitor(world["app"], "zoe@a.example")
    asked = visitor.post("/account", {"new_email": "Zoe.New@a.example"}, action="/account/email")
    assert asked.status_code == 302
    assert db.session.get(Person, zoe.id).email == "zoe@a.example"  # nothing changes until confirmed
    deliver_due()
    [notice] = [m for m in world["smtp"].handler.messages() if m["To"] == "zoe@a.example"]
    assert "zoe.new@a.example" in notice.get_body(("plain",)).get_content()
    [link] = links_mailed_to(world, "zoe.new@a.example")
    # Someone else (even signed in) using a guessed token gets nothing.
    assert world["mallory"].get("/account/email/not-a-real-token").status_code == 404
    page = visitor.get(link)
    assert page.status_code == 200
    done = visitor.send(link, {"csrf_token": Visitor.token(page)})
    assert done.status_code == 200 and "zoe.new@a.example" in done.text
    assert db.session.get(Person, zoe.id).email == "zoe.new@a.example"
    again = visitor.send(link, {"csrf_token": Visitor.token(page)})
    assert again.status_code == 404
    assert db.session.execute(select(EmailChange).where(EmailChange.used_at.is_(None))).first() is None
    assert before["records"] == identities_and_a()["records"]


def test_the_person_renames_themself_and_communities_cannot(world):
    zoe = world["zoe"]
    visitor = Visitor(world["app"], "zoe@a.example")
    assert visitor.post("/account", {"name": "Zoë Ní Shúilleabháin"}).status_code == 302
    assert db.session.get(Person, zoe.id).name == "Zoë Ní Shúilleabháin"
    organiser_a = Visitor(world["app"], "sian@a.example")
    organiser_a.post(f"/communities/cymuned-a/people/{zoe.id}/edit", {
        "name": "Renamed By A", "email": "a-owns@a.example", "profession": "nursing", "role": "member",
        "invite_quota": "0"})
    assert (db.session.get(Person, zoe.id).name, db.session.get(Person, zoe.id).email) == (
        "Zoë Ní Shúilleabháin", "zoe@a.example")
