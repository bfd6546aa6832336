"""Printing a seating plan: the parts of the pack, and PDF from the print view's HTML (WeasyPrint)."""
from pathlib import Path

PARTS = {
    "table-cards": "Table cards",
    "find-your-table": "Find your table",
    "place-cards": "Place cards and name badges",
}
STYLESHEET = Path(__file__).resolve().parent.parent / "static" / "seating-print.css"


def pdf_from_html(html: str) -> bytes:
    """A4 PDF of the print view's HTML, with the print stylesheet (fonts: DejaVu, the ones installed)."""
    # Imported here: WeasyPrint loads pango when imported, which only printing needs.
    from weasyprint import CSS, HTML

    return HTML(string=html).write_pdf(stylesheets=[CSS(filename=str(STYLESHEET))])


def pdf_filename(event_title: str, version: int, part: str | None) -> str:
    safe = "".join(c if c.isalnum() else "-" for c in event_title.lower()).strip("-")
    while "--" in safe:
        safe = safe.replace("--", "-")
    return f"{safe[:60]}-seating-v{version}{'-' + part if part else ''}.pdf"
