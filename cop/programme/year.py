"""The year of themes: twelve months from a given one, each with its themes and the events held in it.
Plain functions: flush, never commit."""
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from cop.communities.models import Community
from cop.events.models import Event, Theme
from cop.events.scheduling import touch_events
from cop.events.times import london_now, to_london
from cop.extensions import db


class ThemeRefused(ValueError):
    """The theme cannot be saved; the message says why."""


@dataclass
class Month:
    first_day: date
    themes: list[Theme] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.first_day:%B %Y}"


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def this_month() -> date:
    return london_now().date().replace(day=1)


def the_year(community: Community, first: date | None = None, public_only: bool = True) -> list[Month]:
    """Twelve months from `first` (this month): each month's themes, and the events (published; public ones
    only unless public_only is False) that start in it, in London time."""
    first = (first or this_month()).replace(day=1)
    months = [Month(add_months(first, n)) for n in range(12)]
    by_month = {m.first_day: m for m in months}
    for theme in themes_of(community):
        if theme.month in by_month:
            by_month[theme.month].themes.append(theme)
    query = select(Event).where(Event.community_id == community.id, Event.status == "published").order_by(
        Event.starts_at, Event.id)
    if public_only:
        query = query.where(Event.is_public.is_(True))
    for event in db.session.execute(query).scalars():
        month = by_month.get(to_london(event.starts_at).date().replace(day=1))
        if month is not None:
            month.events.append(event)
    return months


def themes_of(community: Community) -> list[Theme]:
    return list(db.session.execute(
        select(Theme).where(Theme.community_id == community.id).order_by(Theme.month, Theme.name)).scalars())


def theme_in(community: Community, theme_id: int) -> Theme | None:
    return db.session.execute(
        select(Theme).where(Theme.community_id == community.id, Theme.id == theme_id)).scalar_one_or_none()


def add_theme(community: Community, name: str, month: date | None, description: str = "") -> Theme:
    name = name.strip()
    taken = db.session.execute(select(Theme.id).where(Theme.community_id == community.id, Theme.name == name)).first()
    if taken:
        raise ThemeRefused(f"{community.name} already has a theme called “{name}”.")
    theme = Theme(community=community, name=name, month=month.replace(day=1) if month else None,
                  description=description.strip())
    db.session.add(theme)
    db.session.flush()
    return theme


def place_theme(theme: Theme, month: date | None) -> None:
    """The theme moves to this month of the year (or back to "not placed yet"). Its events keep it: a theme names
    what a month is about; the events carrying it are chosen one by one."""
    theme.month = month.replace(day=1) if month else None
    db.session.flush()


def give_event_theme(event: Event, theme: Theme | None) -> None:
    """The event carries the theme (or none): its calendar entries change (CATEGORIES), so it is revised."""
    if theme is not None and theme.community_id != event.community_id:
        raise ThemeRefused("That theme is another community's.")
    if event.theme_id != (theme.id if theme else None):
        event.theme = theme
        touch_events([event])
    db.session.flush()
