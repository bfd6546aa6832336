"""Guest lists to and from CSV: the spreadsheet organisers already keep.

An import is all or nothing: every row is checked first, each problem is reported
with its line number, and nothing is written unless every row is good.

What organisers really upload (issue 17): Excel's CSV with a comma or a semicolon (found by
csv.Sniffer), UTF-8 with or without a BOM, Windows-1252 or UTF-16 ("Unicode text", tab-separated),
an .xlsx workbook (its first sheet, read with openpyxl), or Outlook's contacts export ("First Name",
"Last Name", "E-mail Address", "Company" among ninety columns). Every upload becomes one plain CSV
text (`read_upload`), which is kept on the server between the preview and the confirmation (the preview's
form names it) and is checked again on confirmation. The
organiser matches the file's columns to cop's (`ImportChoices.columns`; a column matched to nothing
is left out) and their own words to cop's lists (`ImportChoices.values`: "Nurse" is Nursing), and may
merge rows that share an address (`ImportChoices.merge_duplicates`).

At 5,000 rows (issue 19): the checks read what cop holds about the file's addresses and organisations in a
few chunked IN (...) queries (`Known`), never one per row, and the writing is set-based (`_write`: executemany
inserts of people, organisations and records, one executemany update of the records already there), so a
file's statements grow with its chunks, not its rows. The preview shows the counts, every problem and the
people a page at a time (`preview_page`).
"""
import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import cast

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import Table, func, insert, or_, select, update

from cop import text as text_rules
from cop.communities import members
from cop.communities.models import ROLES, Community, Membership
from cop.csv_safety import write_csv
from cop.extensions import db
from cop.people.models import PROFESSIONS, SECTORS, Organisation, Person

COLUMNS = [
    "name", "email", "organisation", "sector", "place", "profession",
    "role_title", "interests", "dietary_needs", "access_needs", "role", "line_manager_email",
]
REQUIRED_COLUMNS = ("name", "email")
NAME_PARTS = ("first_name", "last_name")  # joined into the name, as Outlook and most HR exports split it
FIELDS = COLUMNS + list(NAME_PARTS)  # what a file's column can be matched to
FIELD_LABELS = {
    "name": "Name", "first_name": "First name", "last_name": "Last name", "email": "Email address",
    "organisation": "Organisation", "sector": "Sector", "place": "Place", "profession": "Profession",
    "role_title": "Job title", "interests": "Interests", "dietary_needs": "Dietary needs",
    "access_needs": "Access needs", "role": "Role in the community", "line_manager_email": "Line manager's email",
}
HEADER_ALIASES = {
    "e_mail": "email", "email_address": "email", "e_mail_address": "email", "email_1": "email",
    "e_mail_1": "email", "mail": "email", "full_name": "name", "display_name": "name",
    "first_name": "first_name", "given_name": "first_name", "forename": "first_name", "first": "first_name",
    "last_name": "last_name", "surname": "last_name", "family_name": "last_name", "last": "last_name",
    "company": "organisation", "employer": "organisation", "business_city": "place", "city": "place",
    "organization": "organisation", "org": "organisation", "job_title": "role_title",
    "title": "role_title", "locality": "place", "dietary": "dietary_needs",
    "access": "access_needs", "community_role": "role", "line_manager": "line_manager_email",
    "manager_email": "line_manager_email",
}
WEAK_ALIASES = {"title", "city", "mail", "first", "last", "org"}  # matched only when nothing better is there
MAX_ROWS = 5000
# Addresses or names looked up in one IN (...) (SQLite takes at most 999 variables before 3.32) and rows
# written in one executemany: an import's statements grow with these chunks, never with its rows.
CHUNK = 400
# Each column's label, longest text and whether it is one line (as the person form checks them).
TEXT_RULES = {
    "name": ("Name", text_rules.NAME_LENGTH, True), "email": ("Email", text_rules.EMAIL_LENGTH, True),
    "organisation": ("Organisation", text_rules.NAME_LENGTH, True), "place": ("Place", text_rules.PLACE_LENGTH, True),
    "role_title": ("Job title", text_rules.JOB_TITLE_LENGTH, True),
    "interests": ("Interests", text_rules.NOTES_LENGTH, False),
    "dietary_needs": ("Dietary needs", text_rules.NOTES_LENGTH, False),
    "access_needs": ("Access needs", text_rules.NOTES_LENGTH, False),
    "line_manager_email": ("Line manager email", text_rules.EMAIL_LENGTH, True),
}


@dataclass
class RowProblem:
    line: int
    reason: str


@dataclass
class UnknownWord:
    """A word of the organiser's in a list column ("Nurse" under profession) and cop's best guess."""

    column: str
    word: str
    lines: list[int]
    suggestion: str  # a code, or "" for no guess


@dataclass
class MemberRecord:
    """This community's record of someone the file names, read as one row of a bulk query (no ORM object:
    the import writes with set-based statements, so nothing it read goes stale in the session)."""

    id: int
    person_id: int
    email: str
    name: str
    role: str
    profession: str
    role_title: str
    interests: str
    dietary_needs: str
    access_needs: str
    organisation_id: int | None
    organisation: str  # its name, "" for none
    line_manager_id: int | None


@dataclass
class KnownOrganisation:
    id: int
    name: str
    sector: str


@dataclass
class Known:
    """What the database holds about a file's rows, fetched in chunks before the rows are checked (a few
    queries for the whole file, none per row): this community's records by address, organisations by name
    in lower case."""

    members: dict[str, MemberRecord] = field(default_factory=dict)
    organisations: dict[str, KnownOrganisation] = field(default_factory=dict)


def _chunks(values: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def known_organisations(names: Iterable[str]) -> dict[str, KnownOrganisation]:
    """The organisations of these names (any case), by name in lower case: one query per chunk of names.
    Found by SQL's lower(), as find_organisation finds one, or by the exact name: SQLite's lower() folds ASCII
    letters only, so there a name written exactly as it is stored is still found."""
    wanted = sorted({name.strip() for name in names if name and name.strip()})
    found: dict[str, KnownOrganisation] = {}
    for chunk in _chunks(wanted):
        lowered = sorted({name.lower() for name in chunk})
        rows = db.session.execute(
            select(Organisation.id, Organisation.name, Organisation.sector)
            .where(or_(func.lower(Organisation.name).in_(lowered), Organisation.name.in_(chunk)))
            .order_by(Organisation.id)
        ).tuples()
        for id_, name, sector in rows:
            found.setdefault(name.lower(), KnownOrganisation(id_, name, sector))
    return found


def known_members(community: Community, emails: Iterable[str]) -> dict[str, MemberRecord]:
    """This community's records of the people at these (lower-case) addresses: one query per chunk. Only
    this community's members: whether cop knows an address elsewhere is never read here."""
    wanted = sorted({email for email in emails if email})
    found: dict[str, MemberRecord] = {}
    for chunk in _chunks(wanted):
        rows = db.session.execute(
            select(Membership.id, Membership.person_id, Person.email, Person.name, Membership.role,
                   Membership.profession, Membership.role_title, Membership.interests, Membership.dietary_needs,
                   Membership.access_needs, Membership.organisation_id, Organisation.name,
                   Membership.line_manager_id)
            .join(Person, Person.id == Membership.person_id)
            .outerjoin(Organisation, Organisation.id == Membership.organisation_id)
            .where(Membership.community_id == community.id, Person.email.in_(chunk))
        ).tuples()
        for (id_, person_id, email, name, role, profession, role_title, interests, dietary, access,
             organisation_id, organisation, line_manager_id) in rows:
            found[email] = MemberRecord(id_, person_id, email, name, role, profession, role_title, interests,
                                        dietary, access, organisation_id, organisation or "", line_manager_id)
    return found


@dataclass
class ImportPlan:
    """What an import would do: the people it creates and updates, or why it cannot run."""

    creates: list[members.MemberDetails] = field(default_factory=list)
    updates: list[members.MemberDetails] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)  # the file's own headers
    columns: list[str] = field(default_factory=list)  # what each is matched to ("" for left out)
    unknown_values: dict[tuple[str, str], "UnknownWord"] = field(default_factory=dict)
    duplicates: dict[str, list[int]] = field(default_factory=dict)  # address -> its lines
    merged: dict[str, list[int]] = field(default_factory=dict)
    changes: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)  # address -> (what, old, new)
    new_organisations: list[str] = field(default_factory=list)
    known: Known = field(default_factory=Known, repr=False)  # what the checks read, for the writing

    @property
    def left_out(self) -> list[str]:
        return [h for h, c in zip(self.headers, self.columns) if not c and h.strip()]

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.creates or self.updates)


def decode_upload(data: bytes) -> str:
    """Spreadsheets save UTF-8 (often with a BOM), Windows-1252 or UTF-16 (Excel's "Unicode text")."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # "Unicode text" from Excel is UTF-16
        text = data.decode("utf-16", errors="replace")
    elif len(data) >= 4 and data[1:4:2] == b"\x00\x00" and data[0:1] != b"\x00":  # UTF-16 without its BOM
        text = data.decode("utf-16-le", errors="replace")
    elif len(data) >= 4 and data[0:4:2] == b"\x00\x00" and data[1:2] != b"\x00":
        text = data.decode("utf-16-be", errors="replace")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
    return text.replace("\x00", "")  # PostgreSQL cannot store NUL; no spreadsheet means one


def _rows_to_csv(rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows(rows)
    return out.getvalue()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _xlsx_rows(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for number, row in enumerate(sheet.iter_rows(values_only=True)):
            if number > MAX_ROWS + 1:
                break
            rows.append([_cell_text(value) for value in row])
        while rows and not any(rows[-1]):
            rows.pop()
        return rows
    finally:
        workbook.close()


class UnreadableFile(ValueError):
    pass


def read_upload(data: bytes) -> str:
    """Any upload (CSV with any delimiter and encoding, or an .xlsx workbook) as one plain CSV text."""
    if data.startswith(b"PK\x03\x04"):
        try:
            return _rows_to_csv(_xlsx_rows(data)).replace("\x00", "")
        except (zipfile.BadZipFile, KeyError, ValueError, OSError, IndexError) as error:
            raise UnreadableFile("This file cannot be read as an Excel workbook (.xlsx): save it again as "
                                 f".xlsx or CSV ({type(error).__name__})") from error
    text = decode_upload(data)
    first_line = text.split("\n", 1)[0]
    try:
        delimiter = csv.Sniffer().sniff(first_line, delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    if delimiter == ",":
        return text
    try:
        return _rows_to_csv(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error:
        return text  # reported by line when the plain text is checked


@dataclass
class ImportChoices:
    """The organiser's answers on the preview: what each column is (by position; "" leaves it out), what
    their words mean in cop's lists ((field, word in lower case) -> code), and whether to merge rows that
    share an address."""

    columns: list[str] | None = None
    values: dict[tuple[str, str], str] = field(default_factory=dict)
    merge_duplicates: bool = False


def column_name(header: str) -> str:
    """A spreadsheet's header as cop's column name ("E-mail address" is "email")."""
    key = header.strip().lower().replace("-", "_").replace(" ", "_")
    return HEADER_ALIASES.get(key, key)


def _choice(value: str, choices: dict[str, str]) -> str | None:
    """Accept a code ("vcse") or its label ("VCSE"), in any case."""
    wanted = value.strip().lower()
    for code, label in choices.items():
        if wanted in (code, label.lower(), code.replace("_", " ")):
            return code
    return None


def suggest(word: str, choices: dict[str, str]) -> str:
    """cop's guess at an organiser's word: the label it begins ("Local Authority" is "Local authority and
    social care"), or the one sharing its first four letters ("Nurse" is "Nursing"); "" for none."""
    wanted = " ".join(word.lower().split())
    if not wanted:
        return ""
    for code, label in choices.items():
        if label.lower().startswith(wanted) or wanted.startswith(label.lower()):
            return code
    stem = wanted[:4]
    if len(stem) >= 4:
        for code, label in choices.items():
            if any(part.startswith(stem) for part in label.lower().split() + [code]):
                return code
    return ""


VOCABULARIES = {"sector": SECTORS, "profession": PROFESSIONS, "role": ROLES}


def _matched_columns(header: list[str], choices: ImportChoices) -> list[str]:
    if choices.columns is not None and len(choices.columns) == len(header):
        return [c if c in FIELDS else "" for c in choices.columns]
    return auto_columns(header)


def auto_columns(header: list[str]) -> list[str]:
    """What cop makes of a file's headers by itself: the field for each, or "" to leave it out."""
    # cop's own names first, then other words for them; a field already matched leaves a later column out
    # (Outlook's "Title" is Mr or Dr when "Job Title" is there too).
    columns = [""] * len(header)
    taken: set[str] = set()
    keys = [h.strip().lower().replace("-", "_").replace(" ", "_") for h in header]

    def rank(key: str, name: str) -> int:
        return 0 if key == name else 2 if key in WEAK_ALIASES else 1

    for wanted_rank in (0, 1, 2):
        for i, h in enumerate(header):
            name = column_name(h)
            if columns[i] or name not in FIELDS or name in taken or rank(keys[i], name) != wanted_rank:
                continue
            columns[i] = name
            taken.add(name)
    return columns


def plan_import(community: Community, text: str, choices: ImportChoices | None = None) -> ImportPlan:
    choices = choices or ImportChoices()
    plan = ImportPlan()
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        plan.problems.append(RowProblem(1, "The file is empty: the first line must name the columns"))
        return plan
    columns = _matched_columns(header, choices)
    plan.headers, plan.columns = header, columns
    has_name = "name" in columns or any(part in columns for part in NAME_PARTS)
    missing = [c for c in REQUIRED_COLUMNS if c not in columns and not (c == "name" and has_name)]
    twice = sorted({FIELD_LABELS[c] for c in columns if c and columns.count(c) > 1})
    if missing:
        plan.problems.append(RowProblem(1, f"Missing column(s): {', '.join(missing)}: match a column of the file "
                                           "to each below"))
    if twice:
        plan.problems.append(RowProblem(1, f"More than one column is matched to {', '.join(twice)}"))
    if plan.problems:
        return plan

    raw_rows: list[tuple[int, dict[str, str]]] = []
    rows = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            plan.problems.append(RowProblem(reader.line_num, f"This line cannot be read as CSV ({error})"))
            break
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        rows += 1
        if rows > MAX_ROWS:
            plan.problems.append(RowProblem(line, f"Too many rows: at most {MAX_ROWS} in one import"))
            break
        if len(cells) > len(columns) and any(cell.strip() for cell in cells[len(columns):]):
            plan.problems.append(RowProblem(line, f"{len(cells)} cells, but the header names {len(columns)} columns"))
            continue
        row = {c: cells[i].strip() for i, c in enumerate(columns) if c and i < len(cells)}
        if not row.get("name") and any(row.get(part) for part in NAME_PARTS):
            row["name"] = " ".join(row[part] for part in NAME_PARTS if row.get(part))
        raw_rows.append((line, row))
    raw_rows = _merge_or_mark_duplicates(raw_rows, plan, choices.merge_duplicates)

    known = plan.known
    known.organisations = known_organisations(row.get("organisation", "") for _line, row in raw_rows)
    first_line_of_email: dict[str, int] = {}
    sector_in_file: dict[str, tuple[str, int]] = {}
    checked: list[tuple[int, dict[str, str], members.MemberDetails]] = []
    for line, row in raw_rows:
        details, reasons = _check_row(row, line, first_line_of_email, sector_in_file, plan, choices,
                                      organisations=known.organisations)
        if reasons:
            plan.problems.extend(RowProblem(line, reason) for reason in reasons)
            continue
        checked.append((line, row, details))
    known.members = known_members(community, [details.email for _line, _row, details in checked]
                                  + [details.line_manager_email for _line, _row, details in checked])

    managers: list[tuple[int, str]] = []
    new_organisations: dict[str, str] = {}
    for line, row, details in checked:
        if details.line_manager_email:
            managers.append((line, details.line_manager_email))
        # "Updated" means already in this community: whether cop knows the address elsewhere is never told.
        record = known.members.get(details.email)
        if record and not row.get("role"):
            details.role = record.role  # An import never demotes an organiser by leaving the role blank.
        if details.organisation and details.organisation.lower() not in known.organisations:
            new_organisations.setdefault(details.organisation.lower(), details.organisation)
        if record:
            details.name = record.name  # their name is theirs: an import never changes it
            plan.changes[details.email] = _changes(record, details)
        (plan.updates if record else plan.creates).append(details)
    plan.new_organisations = list(new_organisations.values())
    for line, email in managers:
        # A line manager is someone in this file or already in this community.
        if email not in first_line_of_email and email not in known.members:
            plan.problems.append(
                RowProblem(line, f"Line manager {email} is neither in this file nor in this community"))
    if not plan.problems and not (plan.creates or plan.updates):
        plan.problems.append(RowProblem(2, "The file has a header but no people"))
    plan.problems.sort(key=lambda problem: problem.line)
    return plan


PREVIEW_ROWS = 100  # people on one page of the preview
PREVIEW_PROBLEMS = 500  # problems on one page of the preview


@dataclass
class PreviewPage:
    """One page of what the preview lists: the problems if there are any (every one, a page at a time),
    else the people to be added and updated (a page of each sequence, creates first)."""

    page: int
    pages: int
    first: int  # the first item's number (from 1) and the last's, of `total`
    last: int
    total: int
    problems: list[RowProblem]
    creates: list[members.MemberDetails]
    updates: list[members.MemberDetails]


def preview_page(plan: ImportPlan, page: int = 1) -> PreviewPage:
    """The preview's page `page` (clamped to those there are): a 5,000-row file's preview stays small."""
    items, size = (len(plan.problems), PREVIEW_PROBLEMS) if plan.problems else (
        len(plan.creates) + len(plan.updates), PREVIEW_ROWS)
    pages = max(1, -(-items // size))
    page = min(max(1, page), pages)
    start, end = (page - 1) * size, min(page * size, items)
    if plan.problems:
        return PreviewPage(page, pages, start + 1, end, items, plan.problems[start:end], [], [])
    added = len(plan.creates)
    return PreviewPage(page, pages, start + 1, end, items, [], plan.creates[start:end],
                       plan.updates[max(0, start - added):max(0, end - added)])


def _merge_or_mark_duplicates(raw_rows, plan: ImportPlan, merge: bool):
    """Rows sharing an address (any case): merged into the first when the organiser chose to (a blank cell
    takes the later row's value; the first row's value wins otherwise), else reported."""
    lines_of: dict[str, list[int]] = {}
    for line, row in raw_rows:
        key = row.get("email", "").strip().lower()
        if key:
            lines_of.setdefault(key, []).append(line)
    plan.duplicates = {key: lines for key, lines in lines_of.items() if len(lines) > 1}
    if not merge or not plan.duplicates:
        return raw_rows
    plan.merged, plan.duplicates = plan.duplicates, {}
    kept: dict[str, dict[str, str]] = {}
    merged_rows = []
    for line, row in raw_rows:
        key = row.get("email", "").strip().lower()
        if key in plan.merged:
            if key in kept:
                first = kept[key]
                for column, value in row.items():
                    if value and not first.get(column):
                        first[column] = value
                continue
            kept[key] = row
        merged_rows.append((line, row))
    return merged_rows


def _changes(membership: MemberRecord, details: members.MemberDetails) -> list[tuple[str, str, str]]:
    """What confirming would change in this community's record of them: (what, old, new), as _merged_record
    writes it (a blank cell keeps what is known). Their name and address are theirs and never change."""
    old_org = membership.organisation
    pairs = [
        ("Organisation", old_org, details.organisation or old_org),
        ("Profession", PROFESSIONS.get(membership.profession, membership.profession),
         PROFESSIONS[details.profession] if details.profession != "other" or not membership.profession
         else PROFESSIONS.get(membership.profession, membership.profession)),
        ("Job title", membership.role_title, details.role_title or membership.role_title),
        ("Interests", membership.interests, details.interests or membership.interests),
        ("Dietary needs", membership.dietary_needs, details.dietary_needs or membership.dietary_needs),
        ("Access needs", membership.access_needs, details.access_needs or membership.access_needs),
        ("Role", ROLES.get(membership.role, membership.role), ROLES[details.role]),
    ]
    return [(what, old, new) for what, old, new in pairs if old != new]


def _vocabulary(row, column, line, plan: ImportPlan, choices: ImportChoices, reasons: list[str]) -> str | None:
    """The code for the row's word in a list column: cop's own, the organiser's match, or a problem."""
    word = row.get(column, "")
    if not word:
        return ""
    vocabulary = VOCABULARIES[column]
    code = _choice(word, vocabulary)
    if code is None:
        code = choices.values.get((column, word.lower()))
        code = code if code in vocabulary else None
    key = (column, word.lower())
    if code is None or key in choices.values:
        unknown = plan.unknown_values.setdefault(key, UnknownWord(column, word, [], suggest(word, vocabulary)))
        unknown.lines.append(line)
    if code is None:
        label = {"sector": "sector", "profession": "profession", "role": "role"}[column]
        reasons.append(f"Unknown {label} '{word}': choose what it means below, or use one of: "
                       f"{', '.join(vocabulary.values())}")
    return code


def _check_row(row, line, first_line_of_email, sector_in_file, plan=None, choices=None,
               organisations: dict[str, KnownOrganisation] | None = None) -> tuple[members.MemberDetails, list[str]]:
    """One row's details and its problems. `organisations`: the known ones by name in lower case (fetched for
    the whole file by plan_import; looked up here if not given)."""
    plan = plan or ImportPlan()
    choices = choices or ImportChoices()
    # str.isprintable() is false for every control, line-break and text-direction character (categories Cc, Cf,
    # Zl, Zp): text that is printable and short enough has no problem, and is passed without the slow check.
    reasons = [problem for column, (label, longest, one_line) in TEXT_RULES.items()
               if (value := row.get(column, "")) and (len(value) > longest or (one_line and not value.isprintable()))
               and (problem := text_rules.field_problem(label, value, longest, one_line))]
    if not row.get("name"):
        reasons.append("Name is missing")
    email = row.get("email", "")
    if not email:
        reasons.append("Email is missing")
    else:
        try:
            email = validate_email(email, check_deliverability=False).normalized.lower()
        except EmailNotValidError as error:
            reasons.append(f"Email '{email}' is not valid: {error}")
        if email.lower() in first_line_of_email:
            reasons.append(f"Duplicate: {email} is also on line {first_line_of_email[email.lower()]}")
        else:
            first_line_of_email[email.lower()] = line

    sector = _vocabulary(row, "sector", line, plan, choices, reasons) or ""
    profession = _vocabulary(row, "profession", line, plan, choices, reasons) or "other"
    role = _vocabulary(row, "role", line, plan, choices, reasons) or "member"

    organisation = row.get("organisation", "")
    if organisations is None:
        organisations = known_organisations([organisation])
    known = organisations.get(organisation.lower()) if organisation else None
    if organisation and sector:
        if known and known.sector != sector:
            reasons.append(f"{known.name} is already recorded as {SECTORS[known.sector]}, not {SECTORS[sector]}")
        key = organisation.lower()
        if key in sector_in_file and sector_in_file[key][0] != sector:
            reasons.append(f"{organisation} has another sector on line {sector_in_file[key][1]}")
        sector_in_file.setdefault(key, (sector, line))
    elif organisation and not row.get("sector") and known is None:
        known_in_file = sector_in_file.get(organisation.lower())
        if known_in_file is None:
            reasons.append(f"Sector is missing for the new organisation {organisation}")
        else:
            sector = known_in_file[0]
    if sector and not organisation:
        reasons.append("Sector is given but organisation is missing")
    manager = row.get("line_manager_email", "")
    if manager:
        try:
            manager = validate_email(manager, check_deliverability=False).normalized.lower()
        except EmailNotValidError as error:
            reasons.append(f"Line manager email '{manager}' is not valid: {error}")
        if manager == email:
            reasons.append("Someone cannot be their own line manager")

    details = members.MemberDetails(
        name=row.get("name", ""), email=email, organisation=organisation, sector=sector or "",
        place=row.get("place", ""), profession=profession or "other", role_title=row.get("role_title", ""),
        interests=row.get("interests", ""), dietary_needs=row.get("dietary_needs", ""),
        access_needs=row.get("access_needs", ""), role=role or "member", line_manager_email=manager,
    )
    return details, reasons


def apply_import(community: Community, text: str, choices: ImportChoices | None = None, progress=None,
                 commit: bool = True) -> ImportPlan:
    """Check the file again and, only if every row is good, write it in one transaction (committed here
    unless `commit` is false: a job commits it with its own end; `progress(done, total)` is told as it goes).

    Each row writes this community's record of the person; a person new to cop is created with
    the row's name, and nobody's name or address is changed. Written with set-based statements (issue 19):
    a few per chunk of rows, never one per row."""
    plan = plan_import(community, text, choices)
    if not plan.ok:
        return plan
    _write(community, plan, progress)
    if commit:
        db.session.commit()
    return plan


WRITE_CHUNK = 1000  # rows per executemany: the job's progress moves on after each


def _write(community: Community, plan: ImportPlan, progress=None) -> None:
    """The checked plan, in bulk: new organisations, new people (only addresses new to cop), then this
    community's records, inserted or updated by primary key in executemany statements."""
    told = progress or (lambda done, total: None)
    rows = plan.creates + plan.updates
    told(0, len(rows))
    db.session.flush()  # what the session holds goes first: the statements below go straight to the database
    known = plan.known
    organisation_ids = _organisations_for(rows, known)
    person_ids = {email: record.person_id for email, record in known.members.items()}
    person_ids.update(_people_for(plan.creates))

    def ids_of(details: members.MemberDetails) -> dict:
        return {
            "organisation_id": organisation_ids[details.organisation.lower()] if details.organisation else None,
            "line_manager_id": person_ids.get(details.line_manager_email) if details.line_manager_email else None,
        }

    new_records = [
        {"community_id": community.id, "person_id": person_ids[details.email], "role": details.role,
         "profession": details.profession or "other", "role_title": details.role_title,
         "interests": details.interests, "dietary_needs": details.dietary_needs,
         "access_needs": details.access_needs, **ids_of(details)}
        for details in plan.creates
    ]
    changed_records = [_merged_record(known.members[details.email], details, ids_of(details))
                       for details in plan.updates]
    _refuse_unsafe(new_records + changed_records, ("role", "profession", "role_title"))
    done = 0
    for chunk in _chunks(new_records, WRITE_CHUNK):
        # On the table, not the mapper: the ORM's bulk insert leaves out a row's None values and so splits an
        # executemany wherever a row without a line manager follows one with.
        db.session.execute(insert(_table(Membership)), chunk)
        done += len(chunk)
        told(done, len(rows))
    for chunk in _chunks(changed_records, WRITE_CHUNK):
        db.session.execute(update(Membership), chunk)
        done += len(chunk)
        told(done, len(rows))
    # Records of this community already in the session were written behind its back: read them again.
    for instance in list(db.session.identity_map.values()):
        if isinstance(instance, Membership):
            db.session.expire(instance)
    db.session.expire(community, ["memberships"])


def _table(model) -> Table:
    """A model's table, for Core statements (their executemany keeps every row's keys, None included)."""
    return cast(Table, model.__table__)


def _merged_record(record: MemberRecord, details: members.MemberDetails, ids: dict) -> dict:
    """The record's new values (every column, so that one executemany writes them all): a blank cell keeps
    what the community already knows; a filled one replaces it; the role is the plan's."""
    return {
        "id": record.id, "role": details.role,
        "profession": details.profession if details.profession != "other" or not record.profession
        else record.profession,
        "role_title": details.role_title or record.role_title, "interests": details.interests or record.interests,
        "dietary_needs": details.dietary_needs or record.dietary_needs,
        "access_needs": details.access_needs or record.access_needs,
        "organisation_id": ids["organisation_id"] if details.organisation else record.organisation_id,
        "line_manager_id": ids["line_manager_id"] if details.line_manager_email else record.line_manager_id,
    }


def _refuse_unsafe(rows: list[dict], keys: Iterable[str]) -> None:
    """The last line that the session's before_flush hook is for ORM writes (cop.text.refuse_unsafe_strings):
    bulk statements bypass the session, so their single-line text is checked here."""
    for row in rows:
        for key in keys:
            value = row.get(key)
            if isinstance(value, str) and not value.isprintable() and (
                    problem := text_rules.single_line_problem(value)):
                raise ValueError(f"{key} {problem}")


def _organisations_for(rows: list[members.MemberDetails], known: Known) -> dict[str, int]:
    """Organisation ids by name in lower case for every row's organisation: the known ones, and the new ones
    inserted with the sector and place of the first row that names them."""
    ids = {key: organisation.id for key, organisation in known.organisations.items()}
    new: dict[str, dict] = {}
    for details in rows:
        key = details.organisation.lower()
        if details.organisation and key not in ids and key not in new:
            new[key] = {"name": details.organisation.strip(), "sector": details.sector or "other",
                        "place": details.place.strip()}
    _refuse_unsafe(list(new.values()), ("name", "sector", "place"))
    for chunk in _chunks(list(new.values()), WRITE_CHUNK):
        statement = insert(_table(Organisation)).returning(Organisation.id, Organisation.name)
        for id_, name in db.session.execute(statement, chunk).tuples():
            ids[name.lower()] = id_
    return ids


def _people_for(creates: list[members.MemberDetails]) -> dict[str, int]:
    """Person ids by address for the rows new to this community: the person cop already has at that address
    (untouched: their name is theirs), else a new person with the row's name."""
    ids: dict[str, int] = {}
    emails = [details.email for details in creates]
    for chunk in _chunks(emails):
        ids.update(db.session.execute(select(Person.email, Person.id).where(Person.email.in_(chunk))).tuples().all())
    new = [{"name": details.name.strip(), "email": details.email} for details in creates if details.email not in ids]
    _refuse_unsafe(new, ("name", "email"))
    for chunk in _chunks(new, WRITE_CHUNK):
        statement = insert(_table(Person)).returning(Person.email, Person.id)
        ids.update(db.session.execute(statement, chunk).tuples().all())
    return ids


def export_guest_list(community: Community) -> str:
    page = members.find_members(community, members.PeopleFilter(), per_page=1_000_000)
    emails = members.line_manager_emails([membership for _person, membership in page.rows])
    return write_csv(
        COLUMNS,
        (
            [
                person.name, person.email,
                member.organisation.name if member.organisation else "",
                SECTORS[member.organisation.sector] if member.organisation else "",
                member.organisation.place if member.organisation else "",
                PROFESSIONS[member.profession], member.role_title, member.interests,
                member.dietary_needs, member.access_needs, ROLES[member.role],
                emails.get(member.line_manager_id, "") if member.line_manager_id else "",
            ]
            for person, member in page.rows
        ),
    )
