"""Real spreadsheets, in Chromium, from the home page by clicking (issue 17, "Done when"): an organiser imports
an Excel workbook (.xlsx), a semicolon CSV with a UTF-8 BOM and an Outlook contacts export, each through the
preview's mapping step (their columns and their words matched to cop's), on a desktop and on a phone."""
import io

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from cop.communities.models import Membership
from cop.extensions import db
from cop.people.models import Person
from tests import factories

# Outlook's "Export to a file" → CSV: quoted, CRLF, its own column names (an excerpt of its ninety).
OUTLOOK_EXPORT = (
    '"Title","First Name","Middle Name","Last Name","Company","Department","Job Title","Business City",'
    '"Business Phone","E-mail Address","E-mail Display Name","Notes"\r\n'
    '"Dr","Gwenllian","","ap Rhys","Ysbyty Gwynedd","Medicine","Consultant geriatrician","Bangor","01248 000000",'
    '"gwenllian.aprhys@example.org","Gwenllian ap Rhys (gwenllian.aprhys@example.org)","met at the Big Room"\r\n'
    '"","Siân","","Llewelyn-Bowen","Cyngor Sir Ynys Môn","Oedolion","Senior social worker","Llangefni","",'
    '"sian.llewelyn@example.org","","now leads the frailty work"\r\n'
)
# Excel's "CSV (semicolon delimited)" as saved in many locales: UTF-8 with a byte order mark, semicolons.
SEMICOLON_CSV = (
    "\ufeffName;Email;Organisation;Sector;Profession\r\n"
    "Zoë Ó Súilleabháin;zoe@example.org;Grays Foodbank;Charity;Nurse\r\n"
    "Étienne Lefèvre;etienne@example.org;Thurrock Council;Local Authority;Social work\r\n"
    "Zoë Ó Súilleabháin;ZOE@example.org;Grays Foodbank;Charity;\r\n"
).encode("utf-8")


def _workbook() -> bytes:
    """The organiser's own workbook: their headings, a number where a profession should be."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Who", "Contact", "Trust", "Type of organisation", "Staff group"])
    sheet.append(["Ifan Gruffydd", "ifan@example.org", "Basildon Hospital", "Acute", "Nurse"])
    sheet.append(["Αλεξάνδρα Παπαδοπούλου", "alexandra@example.org", "Basildon Hospital", "Acute", "Physio"])
    data = io.BytesIO()
    workbook.save(data)
    return data.getvalue()


def _upload(journey, path):
    journey.follow("Import a guest list")
    journey.page.set_input_files("#guest_list", str(path))
    journey.page.click("button:has-text('Check the file')")
    journey.page.wait_for_load_state()
    journey.check()


def _open_columns(page):
    """The mapping step: "Your columns" (open by itself when the file has a problem)."""
    if page.locator("details:has(#column-matches)").get_attribute("open") is None:
        page.locator("summary:has-text('Your columns')").click()


def _check_again(journey):
    journey.page.click("button:has-text('Check again')")
    journey.page.wait_for_load_state()
    journey.check()


def _import(journey, expected: str):
    journey.page.click("button:has-text('Import these people')")
    journey.page.wait_for_load_state()
    journey.check()
    assert expected in journey.page.content()


def _record(email: str) -> Membership:
    db.session.expire_all()
    return db.session.execute(select(Membership).join(Person, Membership.person_id == Person.id)
                              .where(Person.email == email)).scalar_one()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_an_organiser_imports_a_workbook_a_semicolon_csv_and_an_outlook_export_through_the_mapping(
        journey, tmp_path):
    group = factories.community(slug="big-room", name="Big Room")
    factories.account(factories.member(group, "organiser", factories.person(email="olga@example.org")),
                      password="correct horse battery")
    db.session.commit()
    page = journey.page
    journey.sign_in("olga@example.org", "correct horse battery")
    journey.to_community("Big Room")

    # 1. An Excel workbook with the organiser's own headings: cop knows none of them, so they match each.
    workbook = tmp_path / "Rhestr westeion.xlsx"
    workbook.write_bytes(_workbook())
    _upload(journey, workbook)
    assert "Missing column(s): name, email" in page.content()
    _open_columns(page)
    for position, field in enumerate(["name", "email", "organisation", "sector", "profession"]):
        page.select_option(f"#column-{position}", field)
    _check_again(journey)
    # Their words: "Nurse" is guessed as Nursing; "Physio" is matched by the organiser.
    assert page.locator("select[name='value|profession|nurse']").input_value() == "nursing"
    assert page.locator("select[name='value|profession|physio']").input_value() == ""
    page.select_option("select[name='value|profession|physio']", label="Allied health")
    _check_again(journey)
    assert "2 people will be added" in page.content() and "Basildon Hospital" in page.locator(
        "#new-organisations").inner_text()
    _import(journey, "Imported the guest list: 2 added, 0 updated.")
    assert (_record("ifan@example.org").profession, _record("ifan@example.org").organisation.sector) == (
        "nursing", "acute")

    # 2. Excel's semicolon CSV with a BOM: the columns are found at once; words and a duplicate row to settle.
    semicolons = tmp_path / "guests-semicolons.csv"
    semicolons.write_bytes(SEMICOLON_CSV)
    journey.to_community("Big Room")
    _upload(journey, semicolons)
    content = page.content()
    assert "Missing column" not in content and "Duplicate: zoe@example.org is also on line 2" in content
    assert page.locator("select[name='value|sector|local authority']").count() == 0  # cop's own, in other case
    assert page.locator("select[name='value|profession|nurse']").input_value() == "nursing"  # remembered
    page.select_option("select[name='value|sector|charity']", "vcse")
    page.check("#merge_duplicates")
    _check_again(journey)
    assert "2 people will be added" in page.content()
    _import(journey, "Imported the guest list: 2 added, 0 updated.")
    zoe = _record("zoe@example.org")
    assert (zoe.person.name, zoe.organisation.sector, zoe.profession) == ("Zoë Ó Súilleabháin", "vcse", "nursing")
    assert _record("etienne@example.org").organisation.sector == "local_authority"

    # 3. Outlook's contacts export: first and last names joined, "E-mail Address" and "Company" understood,
    # the rest left out; the new organisations' sectors come from a column the organiser matches.
    outlook = tmp_path / "contacts.CSV"
    outlook.write_text(OUTLOOK_EXPORT, encoding="utf-8", newline="")
    journey.to_community("Big Room")
    _upload(journey, outlook)
    assert "Sector is missing for the new organisation Ysbyty Gwynedd" in page.content()
    _open_columns(page)
    headings = page.locator("#column-matches tbody tr")
    chosen = {headings.nth(i).locator("label").inner_text(): headings.nth(i).locator("select").input_value()
              for i in range(headings.count())}
    assert (chosen["First Name"], chosen["Last Name"], chosen["E-mail Address"], chosen["Company"]) == (
        "first_name", "last_name", "email", "organisation")
    assert chosen["Title"] == "" and chosen["Job Title"] == "role_title" and chosen["Notes"] == ""
    page.select_option("#column-5", "sector")  # "Department" holds the kind of organisation in this file
    _check_again(journey)
    page.select_option("select[name='value|sector|medicine']", "acute")
    page.select_option("select[name='value|sector|oedolion']", "local_authority")
    _check_again(journey)
    added = page.locator("#to-be-added").inner_text()
    assert "Gwenllian ap Rhys" in added and "Siân Llewelyn-Bowen" in added
    _import(journey, "Imported the guest list: 2 added, 0 updated.")
    gwenllian = _record("gwenllian.aprhys@example.org")
    assert (gwenllian.person.name, gwenllian.role_title, gwenllian.organisation.name) == (
        "Gwenllian ap Rhys", "Consultant geriatrician", "Ysbyty Gwynedd")
    assert "Llewelyn-Bowen" in page.locator("main").inner_text()  # the people list the import led back to
