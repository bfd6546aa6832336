"""Bar charts as inline SVG, drawn on the server: they print and need no JavaScript.

Colours are SVG presentation attributes, not style attributes, so the strict CSP allows them.
The SVG is hidden from screen readers; each chart on a page has a table of the same figures.
A label too long for its room is cut to fit with "…"; the bar's `<title>` gives it whole.
"""
from markupsafe import Markup, escape

from cop.text import fit_width

BAR_COLOUR = "#005eb8"  # NHS blue
TEXT_COLOUR = "#212b32"
TRACK_COLOUR = "#e8edee"
ROW_HEIGHT = 28
LABEL_WIDTH = 260
BAR_WIDTH = 320
WIDTH = LABEL_WIDTH + BAR_WIDTH + 110


def bar_chart(bars) -> Markup:
    """Horizontal bars, one per (label, count, share), each labelled with its count and share."""
    bars = list(bars)
    height = max(1, len(bars)) * ROW_HEIGHT + 8
    largest = max((bar.count for bar in bars), default=0) or 1
    parts = [
        f'<svg class="cop-chart" xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" aria-hidden="true" focusable="false" font-family="Arial, sans-serif" '
        f'font-size="14">'
    ]
    for row, bar in enumerate(bars):
        y = 4 + row * ROW_HEIGHT
        length = round(BAR_WIDTH * bar.count / largest)
        parts.append(
            f'<g><title>{escape(bar.label)}: {bar.count}</title>'
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 18}" text-anchor="end" fill="{TEXT_COLOUR}">'
            f'{escape(fit_width(bar.label, LABEL_WIDTH - 12, 14))}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{BAR_WIDTH}" height="20" fill="{TRACK_COLOUR}"/>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{length}" height="20" fill="{BAR_COLOUR}"/>'
            f'<text x="{LABEL_WIDTH + BAR_WIDTH + 8}" y="{y + 18}" fill="{TEXT_COLOUR}">'
            f'{bar.count} ({round(bar.share * 100)}%)</text></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
