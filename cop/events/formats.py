"""The three event formats and the defaults each starts from."""
from dataclasses import dataclass
from datetime import time


@dataclass(frozen=True)
class FormatDefaults:
    summary: str
    starts: time
    ends: time
    capacity: int
    attendance_modes: tuple[str, ...]  # the first is the default
    is_public: bool
    has_meal: bool
    # The format's own fields, shown on its form; the others stay empty.
    own_fields: tuple[str, ...]


FORMAT_DEFAULTS = {
    "big_room": FormatDefaults(
        summary="An evening for 50 to 250 people: a meal, a speaker, and round tables mixed across organisations.",
        starts=time(18, 0), ends=time(21, 0), capacity=200, attendance_modes=("in_person",),
        is_public=True, has_meal=True, own_fields=("speakers", "has_meal"),
    ),
    "action_learning_set": FormatDefaults(
        summary="A closed set of 5 to 8 members and 1 or 2 facilitators, the same people at every session. "
        "Private: only its members see it.",
        starts=time(9, 30), ends=time(12, 30), capacity=8, attendance_modes=("in_person", "online"),
        is_public=False, has_meal=False, own_fields=(),
    ),
    "assembly": FormatDefaults(
        summary="A large gathering, up to several hundred people, with an agenda: in person, online or hybrid.",
        starts=time(10, 0), ends=time(16, 0), capacity=300, attendance_modes=("hybrid", "in_person", "online"),
        is_public=True, has_meal=False, own_fields=("agenda",),
    ),
}

# An action learning set's fixed membership.
SET_MEMBERS = (5, 8)
SET_FACILITATORS = (1, 2)
