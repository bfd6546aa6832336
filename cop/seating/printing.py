"""Printing a seating plan: the parts of the pack, and its PDF, drawn directly (fpdf2) in the print look.

The PDF was made by WeasyPrint from the print view's HTML: 24-32 pages per CPU-second, 19-22 s for a
pack of 300 people in three rounds (issue 19). Measured on such a pack (`benchmarks/print_renderers.py`:
254 pages, names Welsh, accented, Greek and Chinese; median of 3, on the shared 2-core machine):

    candidate                                                   CPU s   pages per CPU-second
    WeasyPrint, as it was (each part rendered, then joined)      5.21     49
    WeasyPrint, one document, the stylesheet simplified          4.67     54
    fpdf2, drawing the same cards and list (this module)         0.50    512  (1,500 without Chinese names)

so the pack is drawn here, box by box, as the print stylesheet (`static/seating-print.css`, still the
browser's print view) lays it out: A4, 15 mm margins, DejaVu Sans (the font the stylesheet names; Liberation
Sans, metric-compatible with Arial, where DejaVu is missing), the same sizes and greys, the event's title and
"Page N of M" at the foot of every page. Names in scripts DejaVu lacks (王秀英) are drawn in a fallback font
found through fontconfig (Debian's fonts-droid-fallback has CJK; README lists the fonts). Without any usable
TrueType font the pack falls back to WeasyPrint (`pdf_from_html`).
"""
import functools
import hashlib
import logging
import os
import re
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

PARTS = {
    "table-cards": "Table cards",
    "find-your-table": "Find your table",
    "place-cards": "Place cards and name badges",
}
STYLESHEET = Path(__file__).resolve().parent.parent / "static" / "seating-print.css"


def pdf_from_html(html: str) -> bytes:
    """A4 PDF of the print view's HTML, with the print stylesheet (WeasyPrint: the fallback renderer)."""
    # Imported here: WeasyPrint loads pango when imported, which only this fallback needs.
    from weasyprint import CSS, HTML

    return HTML(string=html).write_pdf(stylesheets=[CSS(filename=str(STYLESHEET))])


def pdf_filename(event_title: str, version: int, part: str | None) -> str:
    safe = "".join(c if c.isalnum() else "-" for c in event_title.lower()).strip("-")
    while "--" in safe:
        safe = safe.replace("--", "-")
    return f"{safe[:60]}-seating-v{version}{'-' + part if part else ''}.pdf"


# --- what is printed: plain values, so the drawing needs no database and no Flask -------------------------


@dataclass(frozen=True)
class Table:
    number: int
    people: tuple[tuple[str, str], ...]  # (name, organisation or "")


@dataclass(frozen=True)
class Pack:
    title: str  # "Big Room, Tuesday 3 March 2026, 6pm to 9pm (seating version 2)"
    rounds: tuple[tuple[Table, ...], ...]
    # Everyone, alphabetically: (name, organisation or "", their table in each round).
    people: tuple[tuple[str, str, tuple[int, ...]], ...] = field(default=())


# --- fonts -----------------------------------------------------------------------------------------------

_REGULAR = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
            "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf")
_BOLD = ("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
         "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf")


def _fc(*args: str) -> list[str]:
    try:
        out = subprocess.run(["fc-list", *args], capture_output=True, text=True, timeout=10, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted(line.strip().rstrip(":").strip() for line in out.splitlines() if line.strip())


@dataclass
class Font:
    path: str  # what the PDF embeds (a subset of `source`, kept for this process)
    codepoints: frozenset[int]
    source: str


# The characters a name is likely to need, kept when the font is cut down (a document pays for parsing each
# glyph of each font it embeds: the whole of DejaVu Sans costs more than drawing a 30-page pack). Latin with
# its extensions (Welsh, Irish, Vietnamese, Polish...), Greek, Cyrillic, punctuation and the diacritics.
KEEP = frozenset(
    [*range(0x20, 0x7F), *range(0xA0, 0x250), *range(0x250, 0x2B0), *range(0x2B0, 0x370), *range(0x370, 0x530),
     *range(0x1E00, 0x2000), *range(0x2000, 0x2070), *range(0x20A0, 0x20C0), 0x2116, 0x2122, 0xFFFD])


@functools.cache
def _load(path: str, cut: bool = True) -> Font:
    """The font at `path`, cut down to KEEP (or whole, `cut` False), once a process. The cut font is a file
    in the temporary folder named by the source's path, size and time, shared by the processes that need
    it and written whole (a process never reads another's half-written file)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True, fontNumber=0) as font:
        has = frozenset(font.getBestCmap() or ())
    if not cut:
        return Font(path, has, path)
    stat = os.stat(path)
    name = hashlib.sha256(f"{path}:{stat.st_size}:{stat.st_mtime_ns}:{sorted(KEEP)}".encode()).hexdigest()[:16]
    folder = Path(tempfile.gettempdir()) / f"cop-print-fonts-{os.getuid()}"
    out = folder / f"{Path(path).stem}-{name}.ttf"
    if out.is_file():
        return Font(str(out), has & KEEP, path)
    options = subset.Options()
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.layout_features = []  # the writer does not shape text: no kerning or ligature tables
    options.hinting = False
    options.drop_tables += ["FFTM"]  # FontForge's timestamps: nothing a PDF needs
    font = subset.load_font(path, options, lazy=True)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=has & KEEP)
    subsetter.subset(font)
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, suffix=".part")
    os.close(handle)
    subset.save_font(font, temporary, options)
    font.close()
    os.replace(temporary, out)
    return Font(str(out), has & KEEP, path)


@functools.cache
def fonts() -> tuple[Font, Font, tuple[Font, ...]] | None:
    """(regular, bold, fallbacks) as TrueType files, or None when none is installed (then WeasyPrint)."""
    def first(paths: Iterable[str], family: str, style: str) -> str | None:
        for path in paths:
            if os.path.isfile(path):
                return path
        found = [p for p in _fc(f"{family}:style={style}", "file") if p.lower().endswith(".ttf")]
        return found[0] if found else None

    regular = first(_REGULAR, "DejaVu Sans", "Book") or first((), "Liberation Sans", "Regular")
    bold = first(_BOLD, "DejaVu Sans", "Bold") or first((), "Liberation Sans", "Bold") or regular
    if regular is None or bold is None:
        log.warning("no DejaVu Sans or Liberation Sans TrueType font: seating packs are made by WeasyPrint")
        return None
    fallbacks: list[Font] = []
    for lang in ("zh", "ja", "ko", "ar", "he", "hi", "th"):  # scripts DejaVu Sans does not draw
        for path in _fc(f":lang={lang}", "file"):
            same_family = os.path.basename(path)[:6] == os.path.basename(regular)[:6]  # the whole one is added
            if path.lower().endswith(".ttf") and not same_family and path not in [f.source for f in fallbacks]:
                try:
                    fallbacks.append(_load(path, cut=False))
                except Exception:  # noqa: BLE001 - an unreadable font is skipped, the next one is tried
                    log.warning("font %s could not be read; skipped", path)
                break
    # Whatever the cut fonts lack but the whole ones have (Armenian, Georgian...) comes from the whole ones.
    return _load(regular), _load(bold), (_load(regular, cut=False), *fallbacks)


# --- drawing ---------------------------------------------------------------------------------------------

PT = 25.4 / 72  # millimetres in a point
ASCENT = 0.928  # DejaVu Sans: ascent and line height ("normal") in ems
LINE = 1.164
INK, MUTED, RULE, DASH = (33, 43, 50), (76, 98, 114), (216, 221, 224), (174, 183, 189)
PAGE_W, PAGE_H, LEFT, TOP, BOTTOM = 210.0, 297.0, 15.0, 15.0, 18.0
WIDTH = PAGE_W - 2 * LEFT
FOOT = PAGE_H - BOTTOM  # the lowest a box may reach


class _Writer:
    """One PDF being drawn: fonts chosen per run of characters, lines wrapped by measured widths."""

    def __init__(self, title: str, found: tuple[Font, Font, tuple[Font, ...]]) -> None:
        from fpdf import FPDF

        regular, bold, fallbacks = found
        self.pdf = FPDF(unit="mm", format="A4")
        self.pdf.set_auto_page_break(False)
        self.pdf.set_margins(LEFT, TOP, LEFT)
        self.pdf.set_creator("cop")
        self.pdf.set_title(title)
        self.pdf.add_font("main", "", regular.path)
        self.pdf.add_font("main", "B", bold.path)
        self.covers = {"": regular.codepoints, "B": bold.codepoints}
        self.fallbacks = fallbacks
        self.added: set[int] = set()
        self.title = title
        self._runs: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
        self._widths: dict[tuple[str, str], float] = {}

    def page(self) -> float:
        """A new page, with the footer the stylesheet's @page puts in the bottom margin; returns its top."""
        self.pdf.add_page()
        return TOP

    def footers(self) -> None:
        """The foot of every page, once the pages are counted: the title left, "Page N of M" right."""
        pdf = self.pdf
        total = pdf.page
        baseline = PAGE_H - BOTTOM / 2 + 9 * PT * (ASCENT - LINE / 2)
        title = self.fit(self.title, 9, "", WIDTH - self.width(f"Page {total} of {total}", 9) - 6)
        for number in range(1, total + 1):
            pdf.page = number
            # fpdf2 writes a font change only when the font changes: on a page gone back to, its last
            # font is another one, so a change is made to be written.
            pdf.set_font("main", "B", 1)
            pdf.set_text_color(0, 0, 0)
            self.text(LEFT, baseline, title, 9, colour=MUTED)
            self.text(LEFT + WIDTH, baseline, f"Page {number} of {total}", 9, colour=MUTED, align="right")
        pdf.page = total

    def runs(self, text: str, style: str) -> list[tuple[str, str, str]]:
        """(font family, style, text) runs: the main font wherever it has the glyph, else a fallback."""
        key = (text, style)
        found = self._runs.get(key)
        if found is None:
            found = self._runs[key] = self._split(text, style)
        return found

    def _split(self, text: str, style: str) -> list[tuple[str, str, str]]:
        covered = self.covers[style]
        if text.isascii() or all(ord(c) in covered for c in text):
            return [("main", style, text)]
        runs: list[tuple[str, str, str]] = []
        for char in text:
            family, st = "main", style
            if ord(char) not in covered and not char.isspace():
                for n, font in enumerate(self.fallbacks):
                    if ord(char) in font.codepoints:
                        if n not in self.added:
                            self.pdf.add_font(f"fallback{n}", "", font.path)
                            self.added.add(n)
                        family, st = f"fallback{n}", ""
                        break
            if runs and runs[-1][:2] == (family, st):
                runs[-1] = (family, st, runs[-1][2] + char)
            else:
                runs.append((family, st, char))
        return runs

    def width(self, text: str, size: float, style: str = "") -> float:
        """Its width in millimetres at that size (measured once a text and style: widths scale with size)."""
        key = (text, style)
        em = self._widths.get(key)
        if em is None:
            em = 0.0
            for family, st, part in self.runs(text, style):
                self.pdf.set_font(family, st, 100)
                em += self.pdf.get_string_width(part) / 100
            self._widths[key] = em
        return em * size

    def text(self, x: float, baseline: float, text: str, size: float, style: str = "", colour=INK,
             align: str = "left") -> None:
        """One line at a baseline; x is its left edge, centre or right edge as `align` says."""
        if not text:
            return
        pdf = self.pdf
        pdf.set_text_color(*colour)
        runs = self.runs(text, style)
        if align != "left":
            w = self.width(text, size, style)
            x -= w / 2 if align == "center" else w
        for family, st, part in runs:
            pdf.set_font(family, st, size)
            pdf.text(x, baseline, part)
            if len(runs) > 1:
                x += self.width(part, size, style)

    def wrap(self, text: str, size: float, style: str, width: float) -> list[str]:
        """The lines a box of that width breaks the text into (at spaces; a word too long stays whole)."""
        if self.width(text, size, style) <= width:
            return [text]
        lines, line = [], ""
        for word in text.split():
            candidate = f"{line} {word}" if line else word
            if line and self.width(candidate, size, style) > width:
                lines.append(line)
                line = word
            else:
                line = candidate
        return lines + [line] if line else lines

    def fit(self, text: str, size: float, style: str, width: float) -> str:
        if self.width(text, size, style) <= width:
            return text
        while text and self.width(text + "…", size, style) > width:
            text = text[:-1]
        return text.rstrip() + "…"

    def rule(self, y: float, colour=RULE, dashed: bool = False, x: float = LEFT, width: float = WIDTH) -> None:
        pdf = self.pdf
        pdf.set_draw_color(*colour)
        pdf.set_line_width(0.26)
        if dashed:
            pdf.set_dash_pattern(dash=1.0, gap=1.0)
        pdf.line(x, y, x + width, y)
        if dashed:
            pdf.set_dash_pattern()

    def output(self) -> bytes:
        self.footers()
        return bytes(self.pdf.output())


def _lines_height(size: float, count: int = 1, line: float = LINE) -> float:
    return size * PT * line * count


def _title(w: _Writer, y: float) -> float:
    """The pack's title above its first part (the stylesheet's .cop-print-title: 10pt, 4 mm below)."""
    lines = w.wrap(w.title, 10, "", WIDTH)
    for line in lines:
        w.text(LEFT, y + 10 * PT * ASCENT, line, 10, colour=MUTED)
        y += _lines_height(10)
    return y + 4


def _table_cards(w: _Writer, pack: Pack, y: float, progress) -> float:
    """One page per table per round: the round, the number large, then who sits there."""
    several = len(pack.rounds) > 1
    first = True
    for round_number, tables in enumerate(pack.rounds, start=1):
        for table in tables:
            if not first:
                y = w.page()
            first = False
            if progress:
                progress("table-cards")
            label = f"Round {round_number}" if several else "Table"
            w.text(PAGE_W / 2, y + 20 * PT * ASCENT, label, 20, align="center")
            y += _lines_height(20) + 4
            w.text(PAGE_W / 2, y + 110 * PT * (ASCENT - (LINE - 1) / 2), str(table.number), 110, "B", align="center")
            y += 110 * PT + 6
            for name, organisation in table.people:
                names = w.wrap(name, 16, "", WIDTH)
                organisations = w.wrap(organisation, 11, "", WIDTH) if organisation else []
                height = 3 + _lines_height(16, len(names)) + _lines_height(11, len(organisations))
                if y + height > FOOT:
                    y = w.page()
                y += 1.5
                for line in names:
                    w.text(LEFT, y + 16 * PT * ASCENT, line, 16)
                    y += _lines_height(16)
                for line in organisations:
                    w.text(LEFT, y + 11 * PT * ASCENT, line, 11, colour=MUTED)
                    y += _lines_height(11)
                y += 1.5
                w.rule(y)
    return y


def _find_your_table(w: _Writer, pack: Pack, y: float, progress) -> float:
    """The list for the door: everyone alphabetically, their table in each round; the head on every page."""
    rounds = len(pack.people[0][2]) if pack.people else len(pack.rounds)
    column = 22 + 4  # 22 mm wide, 2 mm padding each side
    name_width = WIDTH - rounds * column - 4
    heads = [f"Round {n}" for n in range(1, rounds + 1)] if rounds > 1 else ["Table"]
    w.text(LEFT, y + 24 * PT * ASCENT, "Find your table", 24, "B")
    y += _lines_height(24) + 4
    caption = "Everyone, by name, with their table in each round"  # the table's caption, printed
    w.text(PAGE_W / 2, y + 12 * PT * ASCENT, caption, 12, align="center")
    y += _lines_height(12)
    wrapped = [w.wrap(text, 15, "B", 22) for text in heads]  # "Round 1" breaks in a 22 mm column
    tall = max(len(lines) for lines in wrapped)

    def head(y: float) -> float:
        top = y + 1.6 + (tall * _lines_height(15) - _lines_height(13)) / 2  # "Name" in the middle
        w.text(LEFT + 2, top + 13 * PT * ASCENT, "Name", 13, "B")
        for n, lines in enumerate(wrapped):
            for k, text in enumerate(lines):
                w.text(LEFT + WIDTH - (rounds - n) * column + column / 2,
                       y + 1.6 + 15 * PT * ASCENT + k * _lines_height(15), text, 15, "B", align="center")
        y += 3.2 + tall * _lines_height(15)
        w.rule(y)
        return y

    y = head(y)
    for number, (name, organisation, tables) in enumerate(pack.people):
        if progress and number % 28 == 0:
            progress("find-your-table")
        one_line = w.width(name + " ", 13) + (w.width(organisation, 10) if organisation else 0) <= name_width
        names = [name] if one_line else w.wrap(name, 13, "", name_width)
        rest = [] if one_line or not organisation else w.wrap(organisation, 10, "", name_width)
        height = 3.2 + max(_lines_height(13, len(names)) + _lines_height(10, len(rest)), _lines_height(15))
        if y + height > FOOT:
            y = head(w.page())
        baseline = y + 1.6 + 15 * PT * ASCENT
        for n, line in enumerate(names):
            w.text(LEFT + 2, baseline + n * _lines_height(13), line, 13)
        if one_line and organisation:  # the organisation inline after the name, smaller, as the span
            w.text(LEFT + 2 + w.width(name + " ", 13), baseline, organisation, 10, colour=MUTED)
        below = baseline + (len(names) - 1) * _lines_height(13) + _lines_height(10)
        for n, line in enumerate(rest):  # too long for one line: under the name
            w.text(LEFT + 2, below + n * _lines_height(10), line, 10, colour=MUTED)
        for n, table in enumerate(tables):
            w.text(LEFT + WIDTH - (rounds - n) * column + column / 2, baseline, str(table), 15, "B", align="center")
        y += height
        w.rule(y)
    return y


def _place_cards(w: _Writer, pack: Pack, y: float, progress) -> float:
    """Folded tent cards, two to a page: the back half upside down, so the name reads from both sides."""
    card, half = 131.0, 65.0
    several = len(pack.people[0][2]) > 1 if pack.people else False
    on_page = 0
    for number, (name, organisation, tables) in enumerate(pack.people):
        if on_page == 2 or y + card > FOOT + 0.01:
            y = w.page()
            on_page = 0
        if progress and number % 2 == 0:
            progress("place-cards")
        pdf = w.pdf
        pdf.set_draw_color(*DASH)
        pdf.set_line_width(0.26)
        pdf.set_dash_pattern(dash=1.0, gap=1.0)
        pdf.rect(LEFT, y, WIDTH, card)
        pdf.set_dash_pattern()
        if several:
            where = " · ".join(f"Round {n}: table {t}" for n, t in enumerate(tables, start=1))
        else:
            where = f"Table {tables[0]}" if tables else ""
        inner = WIDTH - 20
        # 26pt, two lines at most; a longer name is set smaller (down to 16pt, three lines) rather than cut.
        size, names = 26, w.wrap(name, 26, "B", inner)
        while len(names) > 2 and size > 16:
            size -= 2
            names = w.wrap(name, size, "B", inner)
        organisations = w.wrap(organisation, 13, "", inner)[:2] if organisation else []
        wheres = w.wrap(where, 12, "", inner)[:2]
        for side, top in (("back", y), ("front", y + half)):
            def draw(top: float = top) -> None:
                line = top + 14
                for text in names[:3]:
                    w.text(PAGE_W / 2, line + size * PT * ASCENT, text, size, "B", align="center")
                    line += _lines_height(size)
                line += 2
                for text in organisations:
                    w.text(PAGE_W / 2, line + 13 * PT * ASCENT, text, 13, align="center")
                    line += _lines_height(13)
                line += 2 if organisations else 0  # the empty paragraph's margins collapse into one
                for text in wheres:
                    w.text(PAGE_W / 2, line + 12 * PT * ASCENT, text, 12, align="center")
                    line += _lines_height(12)

            if side == "back":
                # Its dashed bottom border turns with it, onto the card's top edge: no line at the fold.
                with pdf.rotation(180, x=PAGE_W / 2, y=top + half / 2):
                    draw()
            else:
                draw()
        y += card
        on_page += 1
    return y


_DRAW = {"table-cards": _table_cards, "find-your-table": _find_your_table, "place-cards": _place_cards}


def pages_of(pack: Pack, parts: list[str]) -> int:
    """About how many pages the parts take (for the progress bar): one a table card, two cards a page."""
    count = 0
    for part in parts:
        if part == "table-cards":
            count += sum(len(tables) for tables in pack.rounds)
        elif part == "place-cards":
            count += (len(pack.people) + 1) // 2
        else:
            count += max(1, (len(pack.people) + 27) // 28)
    return count


def page_count(pdf: bytes) -> int:
    """Pages in a PDF whose page objects are not compressed (fpdf2's); 0 when they cannot be seen."""
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))


def render(pack: Pack, parts: list[str], progress=None) -> bytes | None:
    """The parts of the pack as one A4 PDF, each part from a new page, the title above the first; None
    when no TrueType font is installed (the caller then uses `pdf_from_html`). `progress(part)` is called
    about once a page."""
    found = fonts()
    if found is None:
        return None
    w = _Writer(pack.title, found)
    for number, part in enumerate(parts):
        y = w.page()
        if number == 0:
            y = _title(w, y)
        _DRAW[part](w, pack, y, progress)
    return w.output()
