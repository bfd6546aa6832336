"""Organisations and the people in them."""
from datetime import datetime

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from cop.clock import utcnow
from cop.extensions import Model

# The sectors and professions organisers in integrated care systems use.
SECTORS = {
    "acute": "Acute trust",
    "community": "Community trust",
    "mental_health": "Mental health trust",
    "primary_care": "Primary care / PCN",
    "ambulance": "Ambulance",
    "local_authority": "Local authority and social care",
    "vcse": "VCSE",
    "hospice": "Hospice",
    "higher_education": "Higher education",
    "icb": "ICB",
    "patient_carer": "Patient and carer representatives",
    "other": "Other",
}

PROFESSIONS = {
    "medicine": "Medicine",
    "nursing": "Nursing",
    "midwifery": "Midwifery",
    "allied_health": "Allied health",
    "pharmacy": "Pharmacy",
    "healthcare_science": "Healthcare science",
    "psychology": "Psychology",
    "social_work": "Social work",
    "social_care": "Social care",
    "public_health": "Public health",
    "management": "Management",
    "other": "Other",
}


# Erasure turns the person row into "Erased person" at an address that can receive no mail.
ERASED_NAME = "Erased person"
ERASED_DOMAIN = "erased.invalid"


def erased_email(person_id: int) -> str:
    return f"erased-{person_id}@{ERASED_DOMAIN}"


def erased_clause():
    """SQL: the Person row is an erased person's (for queries that must not mail them)."""
    return Person.email.endswith("@" + ERASED_DOMAIN)


def one_of(column: str, values) -> str:
    """SQL for a check constraint: the column holds one of these codes."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Organisation(Model):
    __tablename__ = "organisation"
    __table_args__ = (CheckConstraint(one_of("sector", SECTORS), name="sector_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    sector: Mapped[str] = mapped_column(String(40))
    place: Mapped[str] = mapped_column(String(120), default="")

    @property
    def sector_label(self) -> str:
        return SECTORS[self.sector]

    def __repr__(self) -> str:
        return f"<Organisation {self.name!r}>"


class Person(Model):
    """A person's identity: their name and e-mail address, which belong to them.

    Only the person (signed in) or a site administrator changes these. What a community knows
    of someone (organisation, job title, needs, ...) is that community's own member record,
    `cop.communities.models.Membership`, which no other community reads or writes.
    """

    __tablename__ = "person"
    __table_args__ = (
        # E-mail addresses are stored lower-cased, which makes the unique constraint case-insensitive.
        CheckConstraint("email = lower(email)", name="email_lower_case"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def is_erased(self) -> bool:
        return self.email.endswith("@" + ERASED_DOMAIN)

    def __repr__(self) -> str:
        return f"<Person {self.email!r}>"
