"""What cop holds about a person, section by section: the registry that export and erasure run.

Each feature that keeps personal data registers a *section* from its own package (its
`personal_data.py`): a name, an export function ((person, community id or None) -> JSON-ready
value) and an erase function (person -> number of rows touched). `cop.privacy` runs every
registered section (export_person, erase_person) and decides who may do so.

    from cop.people.personal_data import register_section

    register_section("feedback", export=my_answers_as_json, erase=anonymise_my_answers)

where `my_answers_as_json(person, community_id)` gives only that community's part when
`community_id` is not None.

Erasure anonymises rather than deletes where a row counts towards something organisers
see (attendance, answers, seats, mail sent): the rows stay, so counts and past seating plans
are unchanged, but nothing in them says who the person was. The person row itself becomes
"Erased person" with an address at `erased.invalid`.

The erase function runs before the person row is anonymised, so it can still match on the
person's id, name or e-mail; it must not commit (erase_person commits once, all or nothing).
"""
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from cop.people.models import ERASED_NAME, Person, erased_email

# Secrets in links (sign-in, RSVP, calendar) are long URL-safe strings: an export never shows them.
_SECRET = re.compile(r"[A-Za-z0-9_-]{32,}")


@dataclass(frozen=True)
class Section:
    name: str
    export: Callable[[Person, int | None], object]
    erase: Callable[[Person], int]


_sections: dict[str, Section] = {}


def register_section(name: str, export: Callable[[Person, int | None], object],
                     erase: Callable[[Person], int]) -> None:
    """Add (or replace) a section of the personal data export and erasure."""
    _sections[name] = Section(name, export, erase)


def registered_sections() -> list[Section]:
    return list(_sections.values())


def without_secrets(text: str | None) -> str | None:
    return None if text is None else _SECRET.sub("[secret removed]", text)


def when(moment: datetime | None) -> str | None:
    """A stored (naive UTC) time as the export writes it."""
    return moment.isoformat() + "Z" if moment else None


def replacements_for(person: Person) -> list[tuple[str, str]]:
    """What erasure writes instead of the person's address and name wherever others' text mentions them."""
    return [(text, instead) for text, instead in ((person.email, erased_email(person.id)), (person.name, ERASED_NAME))
            if text and text != instead]


def _export_profile(person: Person, community_id: int | None) -> dict:
    return {"id": person.id, "name": person.name, "email": person.email, "created_at": when(person.created_at)}


def _erase_profile(person: Person) -> int:
    person.name = ERASED_NAME
    person.email = erased_email(person.id)
    return 1


register_section("profile", _export_profile, _erase_profile)
