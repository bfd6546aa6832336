"""Members suggest themes for the year and vote for each other's; the organiser opens them, sees them ranked
and adopts one (issue 22, part 1); their personal data in export and erasure."""
from flask import g
from sqlalchemy import func, select

from cop.events.models import Theme
from cop.extensions import db
from cop.privacy import erase_person, export_person
from cop.programme import suggestions, year
from cop.programme.models import ThemeSuggestion, ThemeVote
from tests import factories
from tests.conftest import sign_in


class _Visitor:
    """A signed-in client; the test's app context outlives requests, so each forgets the last visitor."""

    def __init__(self, app, account):
        self.client = app.test_client()
        sign_in(self.client, account)

    def get(self, *args, **kwargs):
        g.pop("_login_user", None)
        return self.client.get(*args, **kwargs)

    def post(self, *args, **kwargs):
        g.pop("_login_user", None)
        return self.client.post(*args, **kwargs)


def _world():
    group = factories.community(slug="big-room", name="Rhwydwaith Caerdydd")
    organiser = factories.account(factories.member(group, "organiser"))
    siân = factories.member(group, someone=factories.person(name="Siân Ellis-Ffransis", email="sian@example.org"))
    zoë = factories.member(group, someone=factories.person(name="Zoë Ng 吴", email="zoe@example.org"))
    dafydd = factories.member(group, someone=factories.person(name="Dafydd ap Gwilym", email="dafydd@example.org"))
    db.session.commit()
    return group, organiser, {p.name.split()[0]: factories.account(p) for p in (siân, zoë, dafydd)}


def test_members_suggest_and_vote_once_each_and_the_organiser_adopts_the_most_voted(app):
    group, organiser, people = _world()
    siân, zoë, dafydd = (_Visitor(app, people[name]) for name in ("Siân", "Zoë", "Dafydd"))
    boss = _Visitor(app, organiser)
    url = "/communities/big-room/year/suggestions"
    # Closed until the organiser opens them: no form, and a suggestion is refused.
    assert 'name="title"' not in siân.get(url).get_data(as_text=True)
    refused = siân.post(url, data={"title": "Eiddilwch"})
    assert refused.status_code == 400 and "Suggestions are closed." in refused.text
    assert boss.post(f"{url}/open").status_code == 302
    long = "Iechyd meddwl a thai – " + "ŵ" * 200
    assert siân.post(url, data={"title": long}).status_code == 400  # 120 characters at most
    assert siân.post(url, data={"title": "Eiddilwch – frailty", "description": "Cyn y drws ffrynt"}).status_code == 302
    assert zoë.post(url, data={"title": "Anghydraddoldebau iechyd"}).status_code == 302
    again = dafydd.post(url, data={"title": "eiddilwch – FRAILTY"})
    assert again.status_code == 400 and "vote for it instead" in again.text
    first, second = db.session.scalars(select(ThemeSuggestion).order_by(ThemeSuggestion.id)).all()
    # Once each, withdrawable; never for one's own.
    zoë.post(f"{url}/{first.id}/vote")
    dafydd.post(f"{url}/{first.id}/vote")
    dafydd.post(f"{url}/{second.id}/vote")
    dafydd.post(f"{url}/{second.id}/vote")  # withdrawn
    assert "You cannot vote for your own suggestion." in siân.post(f"{url}/{first.id}/vote",
                                                                    follow_redirects=True).text
    assert db.session.scalar(select(func.count(ThemeVote.id))) == 2
    ranked = suggestions.ranked(group)
    assert [(r.suggestion.title, r.votes) for r in ranked] == [("Eiddilwch – frailty", 2),
                                                               ("Anghydraddoldebau iechyd", 0)]
    page = boss.get(url).get_data(as_text=True)
    assert "most votes first" in page and page.index("Eiddilwch") < page.index("Anghydraddoldebau")
    assert "Siân Ellis-Ffransis" in page and "2 votes" in page
    # Adopted into the year for a month; its votes stay, and it can no longer be voted for.
    month = year.this_month()
    assert boss.post(f"{url}/{first.id}/adopt", data={"month": month.isoformat()}).status_code == 302
    theme = db.session.scalar(select(Theme).where(Theme.community_id == group.id))
    assert (theme.name, theme.description, theme.month) == ("Eiddilwch – frailty", "Cyn y drws ffrynt", month)
    assert "in the year already" in zoë.post(f"{url}/{first.id}/vote", follow_redirects=True).text
    assert suggestions.ranked(group)[0].votes == 2
    assert "in the year already" in boss.post(f"{url}/{first.id}/adopt", data={"month": ""},
                                              follow_redirects=True).text
    # Closed again: nobody votes.
    boss.post(f"{url}/open")
    assert "Voting is closed." in dafydd.post(f"{url}/{second.id}/vote", follow_redirects=True).text


def test_a_member_may_not_open_adopt_or_reach_another_community_s_suggestions(app, client):
    group, _organiser, people = _world()
    other = factories.community(slug="elsewhere")
    outsider = factories.member(other)
    db.session.flush()
    suggestions.set_open(other, True)
    theirs = suggestions.suggest(other, outsider, "Elsewhere's theme")
    db.session.commit()
    sign_in(client, people["Zoë"])
    assert client.post("/communities/big-room/year/suggestions/open").status_code == 403
    assert client.post(f"/communities/big-room/year/suggestions/{theirs.id}/vote").status_code == 404
    assert client.post(f"/communities/elsewhere/year/suggestions/{theirs.id}/vote").status_code == 403
    assert client.post(f"/communities/big-room/year/suggestions/{theirs.id}/adopt").status_code == 403


def test_suggestions_and_votes_are_exported_by_community_and_kept_through_erasure(app):
    group, _organiser, people = _world()
    siân, zoë = people["Siân"].person, people["Zoë"].person
    other = factories.community(name="Ysbyty Gwynedd")
    factories.member(other, someone=siân)
    db.session.flush()
    for community in (group, other):
        suggestions.set_open(community, True)
    mine = suggestions.suggest(group, siân, "Gofalwyr", "Siân Ellis-Ffransis would lead it")
    suggestions.suggest(other, siân, "Elsewhere")
    suggestions.toggle_vote(suggestions.suggest(group, zoë, "Anghydraddoldebau"), siân)
    suggestions.toggle_vote(mine, zoë)
    db.session.commit()
    whole = export_person(siân)["theme_suggestions"]
    assert [s["title"] for s in whole["suggested"]] == ["Gofalwyr", "Elsewhere"]
    assert whole["suggested"][0]["votes"] == 1
    assert [v["title"] for v in whole["voted_for"]] == ["Anghydraddoldebau"]
    scoped = export_person(siân, community_id=other.id)["theme_suggestions"]
    assert [s["title"] for s in scoped["suggested"]] == ["Elsewhere"] and scoped["voted_for"] == []
    erase_person(siân)
    db.session.expire_all()
    kept = db.session.get(ThemeSuggestion, mine.id)
    assert kept.author.name == "Erased person" and "Siân" not in kept.description
    assert [(r.suggestion.title, r.votes) for r in suggestions.ranked(group)] == [("Gofalwyr", 1),
                                                                                 ("Anghydraddoldebau", 1)]


def test_the_year_page_links_to_the_suggestions_for_the_community_s_people(app, client):
    group, organiser, people = _world()
    sign_in(client, people["Zoë"])
    assert "/communities/big-room/year/suggestions" in client.get("/communities/big-room/year").text
    g.pop("_login_user", None)
    assert "/year/suggestions" not in app.test_client().get("/communities/big-room/year").text


def test_the_demo_s_suggestions_and_votes_are_added_once(app):
    from cop.programme.demo import SUGGESTIONS, add_demo_suggestions

    group = factories.community(slug="demo-ish")
    for n in range(10):
        factories.member(group, someone=factories.person(name=f"Aelod {n} Ŵyn"))
    db.session.commit()
    add_demo_suggestions(group)
    db.session.commit()
    first = [(r.suggestion.title, r.votes) for r in suggestions.ranked(group)]
    add_demo_suggestions(group)
    db.session.commit()
    assert [(r.suggestion.title, r.votes) for r in suggestions.ranked(group)] == first == [
        (title, votes) for title, _description, votes in SUGGESTIONS]
    assert suggestions.is_open(group)
