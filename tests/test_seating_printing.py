"""Printing: the PDF pack and its parts from the print view's templates, and what printing marks."""
import io
import uuid
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy import select

from cop.extensions import db
from cop.jobs import queue
from cop.jobs.models import Job
from cop.seating import plans, print_jobs
from cop.seating.models import SeatingPlan
from tests.test_seating import BUDGET, _choices, _client_as, _room, _seats


def _text(pdf: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


def test_find_your_table_lists_every_attendee_once_with_a_table_for_each_round(app):
    group, facilitator, event, seated = _room(people=12)
    plan = plans.generate(event, _choices(rounds=3), facilitator, BUDGET)
    seats = _seats(plan)
    client = _client_as(app, facilitator)
    response = client.post(f"/events/{event.id}/seating/find-your-table.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    text, _pages = _text(response.data)
    assert "Find your table" in text
    lines = text.splitlines()
    for person in seated:
        assert text.count(person.name) == 1, person.name
        line = next(line for line in lines if person.name in line)
        tables = [seats[(person.id, r)] for r in (1, 2, 3)]
        assert line.split()[-3:] == [str(t) for t in tables], line


def test_table_cards_give_each_table_of_each_round_a_page_with_everyone_once_per_round(app):
    group, facilitator, event, seated = _room(people=10)
    plans.generate(event, _choices(tables=(4, 4, 4), rounds=2), facilitator, BUDGET)
    client = _client_as(app, facilitator)
    response = client.post(f"/events/{event.id}/seating/table-cards.pdf")
    text, pages = _text(response.data)
    assert pages == 3 * 2
    for person in seated:
        assert text.count(person.name) == 2, person.name
        assert person.organisation.name in text


def test_a_full_table_of_ten_with_long_organisation_names_fits_on_one_card(app):
    group, facilitator, event, seated = _room(people=20)
    for n, person in enumerate(seated):
        person.record.organisation.name = (
            f"Mid and South Essex Mental Health and Wellbeing NHS Foundation Trust {n % 4}")
    plans.generate(event, _choices(tables=(10, 10), rounds=1), facilitator, BUDGET)
    db.session.commit()
    response = _client_as(app, facilitator).post(f"/events/{event.id}/seating/table-cards.pdf")
    text, pages = _text(response.data)
    assert pages == 2 and all(text.count(person.name) == 1 for person in seated)


def test_the_whole_pack_has_every_part_and_marks_the_plan_printed(app):
    group, facilitator, event, seated = _room(people=8)
    plan = plans.generate(event, _choices(tables=(4, 4), rounds=2), facilitator, BUDGET)
    client = _client_as(app, facilitator)
    started = client.post(f"/events/{event.id}/seating.pdf")  # a job makes the pack (tests/test_jobs.py)
    assert started.status_code == 303
    from cop.jobs import queue

    assert queue.work_once(app)
    response = client.post(started.headers["Location"] + "/download")
    assert response.status_code == 200
    text, pages = _text(response.data)
    # 4 table cards, the door list (one page), 8 folded cards at two a page.
    assert pages == 4 + 1 + 4
    assert "Find your table" in text and "Round 2: table" in text
    for person in seated:
        # Twice on table cards, once on the door list, twice on the place card (both sides).
        assert text.count(person.name) == 5, person.name
    db.session.expire_all()
    plan = db.session.execute(select(SeatingPlan)).scalar_one()
    assert plan.status == "printed" and plan.printed_at is not None


def test_the_print_view_is_a_page_with_the_print_stylesheet(app):
    group, facilitator, event, seated = _room(people=6)
    plans.generate(event, _choices(tables=(3, 3), rounds=1), facilitator, BUDGET)
    client = _client_as(app, facilitator)
    response = client.get(f"/events/{event.id}/seating/print")
    assert response.status_code == 200
    assert "seating-print.css" in response.text and "Find your table" in response.text
    assert all(person.name in response.text for person in seated)
    assert client.get(f"/events/{event.id}/seating/print?part=nonsense").status_code == 404
    assert client.post(f"/events/{event.id}/seating/nonsense.pdf").status_code == 404


def test_there_is_nothing_to_print_without_a_plan_in_use(app):
    group, facilitator, event, seated = _room(people=4)
    client = _client_as(app, facilitator)
    assert client.post(f"/events/{event.id}/seating.pdf").status_code == 404


WORLD_NAMES = ["Siân Llewelyn", "Zoë Brontë", "Pádraig Ó Dálaigh", "王秀英", "Ελένη Παπαδοπούλου", "Gwenllïan ap Rhys"]


def test_welsh_accented_greek_and_chinese_names_are_drawn_and_read_back(app):
    """The pack embeds fonts that have these letters: DejaVu Sans, and a fallback (found through fontconfig,
    fonts-droid-fallback on Debian) for Chinese; the PDF's text says the names as written."""
    group, facilitator, event, seated = _room(people=6)
    for member, name in zip(seated, WORLD_NAMES, strict=True):
        member.person.name = name
    plans.generate(event, _choices(tables=(3, 3), rounds=1), facilitator, BUDGET)
    db.session.commit()
    client = _client_as(app, facilitator)
    for part, times in (("table-cards", 1), ("find-your-table", 1), ("place-cards", 2)):
        text, _pages = _text(client.post(f"/events/{event.id}/seating/{part}.pdf").data)
        for name in WORLD_NAMES:
            assert text.count(name) == times, (part, name)


def test_a_pack_is_drawn_once_per_plan_content_and_then_served_from_the_kept_file(app):
    """Counted in drawings, not timed: the same version downloaded again, or made again by a second job,
    is the kept file; a change to the plan's content (a name, here) is drawn afresh and the stale file goes."""
    group, facilitator, event, seated = _room(people=8)
    event.title = f"Big Room {uuid.uuid4().hex[:8]}"  # kept files are shared by the tests of a run
    plans.generate(event, _choices(tables=(4, 4), rounds=2), facilitator, BUDGET)
    db.session.commit()
    client = _client_as(app, facilitator)
    drawn = print_jobs.renders

    first = client.post(f"/events/{event.id}/seating/table-cards.pdf")
    assert print_jobs.renders == drawn + 1
    second = client.post(f"/events/{event.id}/seating/table-cards.pdf")
    assert print_jobs.renders == drawn + 1 and second.data == first.data

    started = client.post(f"/events/{event.id}/seating.pdf")
    assert queue.work_once(app) and print_jobs.renders == drawn + 2
    assert client.post(f"/events/{event.id}/seating.pdf").headers["Location"] == started.headers["Location"]
    plan = db.session.execute(select(SeatingPlan)).scalar_one()
    again = queue.start(print_jobs.KIND, "The same pack again", {"event_id": event.id, "plan_id": plan.id},
                        key=f"print-pack:{plan.id}", community_id=group.id, started_by=facilitator)
    assert queue.work_once(app) and print_jobs.renders == drawn + 2  # a second job: the kept file
    db.session.expire_all()
    made = db.session.execute(select(Job).where(Job.cache_key.is_not(None)).order_by(Job.id)).scalars().all()
    assert [job.id for job in made][-1] == again.id and made[-1].output == made[0].output
    assert _text(made[-1].output)[1] == 4 + 1 + 4

    seated[0].person.name = "Rhodri Ó Dálaigh"
    db.session.commit()
    renamed = client.post(f"/events/{event.id}/seating/table-cards.pdf")
    assert print_jobs.renders == drawn + 3 and "Rhodri Ó Dálaigh" in _text(renamed.data)[0]
    kept = list((Path(app.instance_path) / "print-packs" / f"plan-{plan.id}").glob("*.pdf"))
    assert len(kept) == 1 and "table-cards" in kept[0].name  # the files of the old content are gone


def test_erasing_a_person_drops_the_kept_packs_with_their_name_and_the_next_is_drawn_without_it(app):
    from cop import privacy

    group, facilitator, event, seated = _room(people=8)
    event.title = f"Big Room {uuid.uuid4().hex[:8]}"
    plans.generate(event, _choices(tables=(4, 4), rounds=1), facilitator, BUDGET)
    db.session.commit()
    client = _client_as(app, facilitator)
    leaving = seated[3].person
    leaving.name = "Ffion Ó Dálaigh"
    db.session.commit()
    assert "Ffion Ó Dálaigh" in _text(client.post(f"/events/{event.id}/seating/place-cards.pdf").data)[0]
    started = client.post(f"/events/{event.id}/seating.pdf")
    assert queue.work_once(app)
    plan = db.session.execute(select(SeatingPlan)).scalar_one()
    folder = Path(app.instance_path) / "print-packs" / f"plan-{plan.id}"
    assert len(list(folder.glob("*.pdf"))) == 2

    report = privacy.erase_person(leaving)
    db.session.commit()
    assert report["seats"] == 2 + 1  # two kept files and the job's copy
    assert list(folder.glob("*.pdf")) == []
    db.session.expire_all()
    job = db.session.execute(select(Job)).scalar_one()
    assert job.output is None and job.output_name is None
    assert client.post(started.headers["Location"] + "/download").status_code == 404
    drawn = print_jobs.renders
    text = _text(client.post(f"/events/{event.id}/seating/place-cards.pdf").data)[0]
    assert print_jobs.renders == drawn + 1 and "Ffion" not in text and "Erased person" in text
