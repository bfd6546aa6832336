"""The year as a picture: twelve months as cards (four across, three down), each with its themes and how many
events it holds, drawn on the server as SVG (it prints and needs no JavaScript), like the reports' charts.

The `<svg role="img">` is named by its `<title>` and `<desc>`; the page puts the table of the same year beside
it. Built with ElementTree, so every name is escaped. A theme's name too long for its card is cut to fit
(cop.text.fit_width) and given whole in its card's `<title>`. Colours are presentation attributes (the
Content-Security-Policy blocks `style`).
"""
import xml.etree.ElementTree as ET

from markupsafe import Markup

from cop.text import fit_width

SVG_NS = "http://www.w3.org/2000/svg"
FONT = "Arial, sans-serif"
TEXT = "#212b32"
SECONDARY = "#4c6272"
THEMED = "#e8f1fa"  # a month with a theme: pale NHS blue
EMPTY = "#f0f4f5"
EDGE = "#005eb8"
COLUMNS, CARD_WIDTH, CARD_HEIGHT, GAP, PADDING = 4, 180, 132, 12, 10
THEME_LINES = 3  # themes named on a card; more are counted ("and 2 more")


def _text(parent: ET.Element, x: float, y: float, text: str, **attributes) -> ET.Element:
    element = ET.SubElement(parent, "text", {"x": f"{x:.1f}", "y": f"{y:.1f}",
                                             **{k.replace("_", "-"): str(v) for k, v in attributes.items()}})
    element.text = text
    return element


def _events_label(count: int) -> str:
    return "No events" if count == 0 else ("1 event" if count == 1 else f"{count} events")


def year_picture(community_name: str, months) -> str:
    """The SVG document (text) of the year: `months` are cop.programme.year.Month, in order."""
    rows = -(-len(months) // COLUMNS) or 1
    width = COLUMNS * CARD_WIDTH + (COLUMNS + 1) * GAP
    top = 44
    height = top + rows * CARD_HEIGHT + (rows + 1) * GAP
    title = f"A year in {community_name}"
    span = f" from {months[0].label} to {months[-1].label}" if months else ""
    svg = ET.Element("svg", {
        "xmlns": SVG_NS, "viewBox": f"0 0 {width} {height}", "width": str(width), "height": str(height),
        "role": "img", "aria-labelledby": "year-picture-title year-picture-desc", "class": "cop-chart",
        "id": "year-picture", "font-family": FONT, "font-size": "14", "fill": TEXT})
    ET.SubElement(svg, "title", {"id": "year-picture-title"}).text = title
    ET.SubElement(svg, "desc", {"id": "year-picture-desc"}).text = (
        f"Twelve months{span}, a card each with its themes and how many events it holds. "
        "The table of the year gives the same.")
    ET.SubElement(svg, "rect", {"x": "0", "y": "0", "width": str(width), "height": str(height), "fill": "#ffffff"})
    _text(svg, GAP, 28, fit_width(title, width - 2 * GAP, 20), font_size=20, font_weight="bold")
    room = CARD_WIDTH - 2 * PADDING
    for index, month in enumerate(months):
        x = GAP + (index % COLUMNS) * (CARD_WIDTH + GAP)
        y = top + GAP + (index // COLUMNS) * (CARD_HEIGHT + GAP)
        names = [theme.name for theme in month.themes]
        card = ET.SubElement(svg, "g", {"class": "cop-year__month"})
        ET.SubElement(card, "title").text = (
            f"{month.label}: {', '.join(names) if names else 'no theme'}; {_events_label(len(month.events)).lower()}")
        ET.SubElement(card, "rect", {
            "x": str(x), "y": str(y), "width": str(CARD_WIDTH), "height": str(CARD_HEIGHT), "rx": "6",
            "fill": THEMED if names else EMPTY, "stroke": EDGE if names else "#d8dde0",
            "stroke-width": "2" if names else "1"})
        _text(card, x + PADDING, y + 22, fit_width(month.label, room, 15), font_size=15, font_weight="bold")
        shown = names[:THEME_LINES] if len(names) <= THEME_LINES else names[:THEME_LINES - 1]
        for line, name in enumerate(shown):
            _text(card, x + PADDING, y + 46 + line * 20, fit_width(name, room, 14))
        if len(shown) < len(names):
            _text(card, x + PADDING, y + 46 + len(shown) * 20, f"and {len(names) - len(shown)} more",
                  fill=SECONDARY)
        if not names:
            _text(card, x + PADDING, y + 46, "No theme yet", fill=SECONDARY)
        _text(card, x + PADDING, y + CARD_HEIGHT - 12, _events_label(len(month.events)), font_size=13,
              fill=SECONDARY)
    return ET.tostring(svg, encoding="unicode")


def year_picture_markup(community_name: str, months) -> Markup:
    """The picture to put in a page (its text is escaped by ElementTree)."""
    return Markup(year_picture(community_name, months))
