"""Rules for text that cop stores and mails: pure functions, no Flask, no database.

Single-line text (titles, names, organisations, venue names: every `String(n)` column) holds no control
characters: a CR/LF in an event title once became `Bcc:` and other headers of delivered mail. Nor does it
hold the bidirectional-override characters that make a name display as something else ("Ann\u202eevil").
The forms refuse these with a message (cop.forms_common), imports refuse the row, and the database layer
refuses to store them (refuse_unsafe_strings); mail headers are built from cleaned text (one_line).
"""
import unicodedata
from typing import overload

# Embeddings, overrides (U+202A-U+202E) and isolates (U+2066-U+2069).
BIDI_CONTROLS = frozenset(chr(code) for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))
# Line and paragraph separators and NEL end a line for some readers, like CR and LF.
LINE_BREAKS = frozenset("\u2028\u2029\x85")


# Column sizes (PostgreSQL refuses longer text with an error): forms and imports refuse it first, with a
# message. tests/test_bad_input.py checks them against the columns on PostgreSQL.
NAME_LENGTH = 200  # a person's, an organisation's, a community's or a venue's name; an event's title
EMAIL_LENGTH = 254
PLACE_LENGTH = 120
JOB_TITLE_LENGTH = 200
NOTES_LENGTH = 2000  # interests, dietary and access needs (Text columns, kept to what the forms take)


def is_control(char: str) -> bool:
    return unicodedata.category(char) == "Cc" or char in LINE_BREAKS


def single_line_problem(text: str) -> str | None:
    """Why text cannot be a single-line field (a title, a name), or None when it can."""
    if any(is_control(char) for char in text):
        return "must be on one line, without tabs or control characters"
    if any(char in BIDI_CONTROLS for char in text):
        return "must not contain text-direction control characters"
    return None


def field_problem(label: str, text: str, max_length: int, single_line: bool = True) -> str | None:
    """A field's problem in a form's words ("Job title must be 200 characters or fewer"), or None."""
    if single_line and (problem := single_line_problem(text)):
        return f"{label} {problem}"
    if len(text) > max_length:
        return f"{label} must be {max_length:,} characters or fewer"
    return None


@overload
def one_line(text: str) -> str: ...


@overload
def one_line(text: None) -> None: ...


def one_line(text: str | None) -> str | None:
    """Text made single-line (for a mail header, or a String column built from other text): every control,
    line-break and text-direction character becomes a space, and runs of spaces one."""
    if text is None:
        return None
    cleaned = "".join(" " if is_control(char) or char in BIDI_CONTROLS else char for char in text)
    return " ".join(cleaned.split())


def refuse_unsafe_strings(session, flush_context=None, instances=None) -> None:
    """A `before_flush` hook: no `String(n)` column of a new or changed row takes unsafe single-line text.

    The forms and the import refuse such text with a message first; this is the last line, so a path that
    forgot (a new form, a command) fails loudly rather than storing a header injection.
    """
    from sqlalchemy import Enum, String, Text, inspect

    new = session.new  # a set built afresh on every access: read once, or a flush of n rows costs n squared
    for instance in (*new, *session.dirty):
        state = inspect(instance)
        mapper = state.mapper
        for column in mapper.columns:
            if not isinstance(column.type, String) or isinstance(column.type, (Text, Enum)):
                continue
            key = mapper.get_property_by_column(column).key
            if instance not in new and not state.attrs[key].history.has_changes():
                continue  # only what this flush writes
            value = getattr(instance, key, None)
            if isinstance(value, str) and (problem := single_line_problem(value)):
                raise ValueError(f"{mapper.class_.__name__}.{column.key} {problem}")


# Advance widths of Arial (and the metric-compatible Liberation Sans), in thousandths of the font size, for
# fitting chart labels drawn on the server: an accented letter is as wide as its base letter; a character
# not listed (another script, a symbol) is counted 1000, as wide as the widest, so a label is never too long.
_WIDTHS = {char: width for width, chars in (
    (278, " fijlt.,:;!'|/\\[]I"), (333, "r()-`\""), (500, "cksvxyzJ"), (584, "+<>=~"),
    (556, "abdeghnopqu0123456789$?L_#"), (611, "FTZ"), (667, "ABEKPSVXY&"), (722, "CDHNRUw"), (778, "GOQ"),
    (833, "mM"), (889, "%"), (944, "W"), (1000, "…"), (1015, "@"),
) for char in chars}


def text_width(text: str, font_size: float) -> float:
    """How wide `text` is drawn in Arial at `font_size` pixels: at most this (unknown characters count wide)."""
    total = 0
    for char in text:
        base = unicodedata.normalize("NFD", char)[:1] or char
        total += _WIDTHS.get(char, _WIDTHS.get(base, 1000))
    return total * font_size / 1000


def fit_width(text: str, pixels: float, font_size: float) -> str:
    """`text`, or as much of it as fits in `pixels` followed by "…", for a chart label that must not be
    clipped (the chart then gives the whole text in a `<title>`)."""
    if text_width(text, font_size) <= pixels:
        return text
    room = pixels - text_width("…", font_size)
    kept = ""
    for char in text:
        if text_width(kept + char, font_size) > room:
            break
        kept += char
    return kept.rstrip() + "…"
