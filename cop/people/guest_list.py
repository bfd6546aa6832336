"""Guest lists to and from CSV: the spreadsheet organisers already keep.

An import is all or nothing: every row is checked first, each problem is reported
with its line number, and nothing is written unless every row is good.
"""
import csv
import io
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email

from cop import text as text_rules
from cop.communities.models import ROLES, Community, Membership
from cop.csv_safety import write_csv
from cop.extensions import db
from cop.people import directory
from cop.people.models import PROFESSIONS, SECTORS

COLUMNS = [
    "name", "email", "organisation", "sector", "place", "profession",
    "role_title", "interests", "dietary_needs", "access_needs", "role", "line_manager_email",
]
REQUIRED_COLUMNS = ("name", "email")
HEADER_ALIASES = {
    "e_mail": "email", "email_address": "email", "full_name": "name",
    "organization": "organisation", "org": "organisation", "job_title": "role_title",
    "title": "role_title", "locality": "place", "dietary": "dietary_needs",
    "access": "access_needs", "community_role": "role", "line_manager": "line_manager_email",
    "manager_email": "line_manager_email",
}
MAX_ROWS = 5000
# Each column's label, longest text and whether it is one line (as the person form checks them).
TEXT_RULES = {
    "name": ("Name", text_rules.NAME_LENGTH, True), "email": ("Email", text_rules.EMAIL_LENGTH, True),
    "organisation": ("Organisation", text_rules.NAME_LENGTH, True), "place": ("Place", text_rules.PLACE_LENGTH, True),
    "role_title": ("Job title", text_rules.JOB_TITLE_LENGTH, True), "interests": ("Interests", text_rules.NOTES_LENGTH, False),
    "dietary_needs": ("Dietary needs", text_rules.NOTES_LENGTH, False),
    "access_needs": ("Access needs", text_rules.NOTES_LENGTH, False),
    "line_manager_email": ("Line manager email", text_rules.EMAIL_LENGTH, True),
}


@dataclass
class RowProblem:
    line: int
    reason: str


@dataclass
class ImportPlan:
    """What an import would do: the people it creates and updates, or why it cannot run."""

    creates: list[directory.MemberDetails] = field(default_factory=list)
    updates: list[directory.MemberDetails] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.creates or self.updates)


def decode_upload(data: bytes) -> str:
    """Spreadsheets save UTF-8 (often with a BOM) or Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # "Unicode text" from Excel is UTF-16
        text = data.decode("utf-16", errors="replace")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
    return text.replace("\x00", "")  # PostgreSQL cannot store NUL; no spreadsheet means one


def column_name(header: str) -> str:
    """A spreadsheet's header as cop's column name ("E-mail address" is "email")."""
    key = header.strip().lower().replace("-", "_").replace(" ", "_")
    return HEADER_ALIASES.get(key, key)


def _choice(value: str, choices: dict[str, str]) -> str | None:
    """Accept a code ("vcse") or its label ("VCSE"), in any case."""
    wanted = value.strip().lower()
    for code, label in choices.items():
        if wanted in (code, label.lower()):
            return code
    return None


def plan_import(community: Community, text: str) -> ImportPlan:
    plan = ImportPlan()
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        plan.problems.append(RowProblem(1, "The file is empty: the first line must name the columns"))
        return plan
    columns = [column_name(h) for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    unknown = [h for h, c in zip(header, columns) if c not in COLUMNS and h.strip()]
    if missing:
        plan.problems.append(RowProblem(1, f"Missing column(s): {', '.join(missing)}"))
    if unknown:
        plan.problems.append(RowProblem(1, f"Unknown column(s): {', '.join(unknown)}; known columns are {', '.join(COLUMNS)}"))
    if plan.problems:
        return plan

    first_line_of_email: dict[str, int] = {}
    managers: list[tuple[int, str]] = []
    sector_in_file: dict[str, tuple[str, int]] = {}
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
        if len(cells) > len(columns):
            plan.problems.append(RowProblem(line, f"{len(cells)} cells, but the header names {len(columns)} columns"))
            continue
        row = {c: (cells[i].strip() if i < len(cells) else "") for i, c in enumerate(columns)}
        details, reasons = _check_row(row, line, first_line_of_email, sector_in_file)
        if reasons:
            plan.problems.extend(RowProblem(line, reason) for reason in reasons)
            continue
        if details.line_manager_email:
            managers.append((line, details.line_manager_email))
        # "Updated" means already in this community: whether cop knows the address elsewhere is never told.
        membership = directory.member_by_email(community, details.email)
        if membership and not row.get("role"):
            details.role = membership.role  # An import never demotes an organiser by leaving the role blank.
        (plan.updates if membership else plan.creates).append(details)
    for line, email in managers:
        # A line manager is someone in this file or already in this community.
        if email not in first_line_of_email and directory.member_by_email(community, email) is None:
            plan.problems.append(RowProblem(line, f"Line manager {email} is neither in this file nor in this community"))
    if not plan.problems and not (plan.creates or plan.updates):
        plan.problems.append(RowProblem(2, "The file has a header but no people"))
    return plan


def _check_row(row, line, first_line_of_email, sector_in_file) -> tuple[directory.MemberDetails, list[str]]:
    reasons = [problem for column, (label, longest, one_line) in TEXT_RULES.items()
               if (problem := text_rules.field_problem(label, row.get(column, ""), longest, one_line))]
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

    sector = ""
    if row.get("sector"):
        sector = _choice(row["sector"], SECTORS)
        if sector is None:
            reasons.append(f"Unknown sector '{row['sector']}'; use one of: {', '.join(SECTORS.values())}")
    profession = "other"
    if row.get("profession"):
        profession = _choice(row["profession"], PROFESSIONS)
        if profession is None:
            reasons.append(f"Unknown profession '{row['profession']}'; use one of: {', '.join(PROFESSIONS.values())}")
    role = "member"
    if row.get("role"):
        role = _choice(row["role"], ROLES)
        if role is None:
            reasons.append(f"Unknown role '{row['role']}'; use one of: {', '.join(ROLES.values())}")

    organisation = row.get("organisation", "")
    if organisation and sector:
        known = directory.find_organisation(organisation)
        if known and known.sector != sector:
            reasons.append(f"{known.name} is already recorded as {SECTORS[known.sector]}, not {SECTORS[sector]}")
        key = organisation.lower()
        if key in sector_in_file and sector_in_file[key][0] != sector:
            reasons.append(f"{organisation} has another sector on line {sector_in_file[key][1]}")
        sector_in_file.setdefault(key, (sector, line))
    elif organisation and not row.get("sector") and directory.find_organisation(organisation) is None:
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

    details = directory.MemberDetails(
        name=row.get("name", ""), email=email, organisation=organisation, sector=sector or "",
        place=row.get("place", ""), profession=profession or "other", role_title=row.get("role_title", ""),
        interests=row.get("interests", ""), dietary_needs=row.get("dietary_needs", ""),
        access_needs=row.get("access_needs", ""), role=role or "member", line_manager_email=manager,
    )
    return details, reasons


def apply_import(community: Community, text: str) -> ImportPlan:
    """Check the file again and, only if every row is good, write it in one transaction.

    Each row writes this community's record of the person; a person new to cop is created with
    the row's name, and nobody's name or address is changed."""
    plan = plan_import(community, text)
    if not plan.ok:
        return plan
    records = {}
    for details in plan.creates + plan.updates:
        membership = directory.join_community(community, details.email, details.name, details.role)
        _merge_details(membership, details)
        membership.role = details.role
        records[details.email] = membership
    for details in plan.creates + plan.updates:
        if details.line_manager_email:  # everyone in the file is a member now
            records[details.email].line_manager = directory.member_by_email(community, details.line_manager_email).person
    db.session.commit()
    return plan


def _merge_details(membership: Membership, details: directory.MemberDetails) -> None:
    """A blank cell keeps what the community already knows; a filled one replaces it."""
    for attribute in ("role_title", "interests", "dietary_needs", "access_needs"):
        value = getattr(details, attribute)
        if value:
            setattr(membership, attribute, value)
    if details.profession != "other" or not membership.profession:
        membership.profession = details.profession
    if details.organisation:
        membership.organisation = directory.organisation_named(details.organisation, details.sector, details.place)


def export_guest_list(community: Community) -> str:
    page = directory.find_members(community, directory.PeopleFilter(), per_page=1_000_000)
    emails = directory.line_manager_emails([membership for _person, membership in page.rows])
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
                emails.get(member.line_manager_id, ""),
            ]
            for person, member in page.rows
        ),
    )
