"""The calendars' part of the demo: the community's feed and a personal feed to subscribe to."""
from cop.calendars import feeds
from cop.communities.members import first_organisers
from cop.communities.models import Community


def demo_calendar_lines(community: Community) -> list[str]:
    """The demo's feed URLs (idempotent: a person's feed URL stays the same until they reset it)."""
    lines = [f"calendar: community feed {feeds.community_feed_url(community)}"]
    organiser = first_organisers([community.id]).get(community.id)
    if organiser is not None:
        lines.append(f"calendar: {organiser.email}'s feed {feeds.feed_url_for_person(organiser)}")
    return lines
