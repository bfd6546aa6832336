"""Organisations and the people in them."""
from datetime import datetime, timezone

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cop.extensions import db

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


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _one_of(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Organisation(db.Model):
    __tablename__ = "organisation"
    __table_args__ = (CheckConstraint(_one_of("sector", SECTORS), name="sector_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    sector: Mapped[str] = mapped_column(String(40))
    place: Mapped[str] = mapped_column(String(120), default="")

    people: Mapped[list["Person"]] = relationship(back_populates="organisation")

    @property
    def sector_label(self) -> str:
        return SECTORS[self.sector]

    def __repr__(self) -> str:
        return f"<Organisation {self.name!r}>"


class Person(db.Model):
    __tablename__ = "person"
    __table_args__ = (
        CheckConstraint(_one_of("profession", PROFESSIONS), name="profession_known"),
        # E-mail addresses are stored lower-cased, which makes the unique constraint case-insensitive.
        CheckConstraint("email = lower(email)", name="email_lower_case"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    profession: Mapped[str] = mapped_column(String(40), default="other")
    role_title: Mapped[str] = mapped_column(String(200), default="")
    interests: Mapped[str] = mapped_column(Text, default="")
    dietary_needs: Mapped[str] = mapped_column(Text, default="")
    access_needs: Mapped[str] = mapped_column(Text, default="")
    # Who they report to: action learning sets keep line managers and their staff apart.
    line_manager_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation | None] = relationship(back_populates="people")
    line_manager: Mapped["Person | None"] = relationship(remote_side="Person.id")

    @property
    def profession_label(self) -> str:
        return PROFESSIONS[self.profession]

    def __repr__(self) -> str:
        return f"<Person {self.email!r}>"
