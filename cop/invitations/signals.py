"""What invitations tell the features above them, without importing them (blinker signals; see
cop/events/signals.py). Receivers are connected by modules that cop/app.py imports."""
from blinker import Namespace

_signals = Namespace()

# Sent while an invitation mail is built, with the Invitation as sender; receivers return a list of
# (text, absolute URL) links the mail adds (e.g. a challenge the event will discuss). They may flush, never commit.
mail_links = _signals.signal("invitation-mail-links")


def links_for_mail(invitation) -> list[tuple[str, str]]:
    links: list[tuple[str, str]] = []
    for _receiver, returned in mail_links.send(invitation):
        links.extend(returned or [])
    return links
