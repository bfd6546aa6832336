"""Which renderer makes the seating print pack: pages per CPU-second for each candidate, on one pack.

    python benchmarks/print_renderers.py [--people 300] [--rounds 3] [--repeat 3]

The pack of issue 19 (300 people in tables of ten, three rounds: table cards, find your table, place
cards; names Welsh, accented, Greek and Chinese), rendered by

- `weasyprint-parts`: WeasyPrint as the print-pack job did, each part a document, then joined;
- `weasyprint-simple`: WeasyPrint, one document, the stylesheet simplified (no running title string, no
  rotated halves, no dashed borders, solid rules only);
- `fpdf2`: cop's direct writer (`cop.seating.printing.render`), drawing the same cards and list.

Prints one line per candidate (median CPU seconds, pages, pages per CPU-second) and the choice.
"""
import argparse
import io
import random
import statistics
import sys
import time
from datetime import datetime
from types import SimpleNamespace

from _setup import migrated_app, throwaway_sqlite_url

FIRST = ["Siân", "Zoë", "Rhys", "Ελένη", "王秀英", "Aoife", "Dafydd", "Chiamaka", "José", "Łucja", "Ffion", "Niamh",
         "Oluwaseun", "Gwenllïan", "Søren", "Priya", "Tomás", "Eira", "Kofi", "Mared"]
LAST = ["Ó Dálaigh", "Jones", "Papadopoulou", "Llewelyn", "Nguyễn", "Okafor", "Müller", "ap Gruffydd", "Kowalska",
        "Øvergaard", "Evans", "Murphy", "Adeyemi", "Bowen", "Pritchard"]
ORGS = ["Mid and South Essex NHS Foundation Trust", "Thurrock Council", "Basildon CVS", "NHS Mid and South Essex ICB",
        "Brentwood Primary Care Network", "Provide Community Interest Company", "Essex Partnership University NHS "
        "Foundation Trust", "Healthwatch Essex", "Southend Association of Voluntary Services", "EPUT"]

SIMPLE_CSS = """
@page { size: A4; margin: 15mm 15mm 18mm;
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font-size: 9pt; color: #4c6272; } }
html { font-family: "DejaVu Sans"; color: #212b32; font-size: 12pt; }
body { margin: 0; }
.cop-print-title { font-size: 10pt; color: #4c6272; margin: 0 0 4mm; }
.cop-print-title--hidden { display: none; }
.cop-print-part { break-before: page; }
.cop-print-part:first-of-type { break-before: auto; }
.cop-table-card { break-after: page; text-align: center; }
.cop-table-card__round { font-size: 20pt; margin: 0; }
.cop-table-card__number { font-size: 110pt; font-weight: bold; line-height: 1; margin: 4mm 0 6mm; }
.cop-table-card__list { list-style: none; padding: 0; margin: 0; text-align: left; font-size: 16pt; }
.cop-table-card__list li { padding: 1.5mm 0; border-bottom: 1px solid #d8dde0; }
.cop-table-card__organisation { display: block; font-size: 11pt; color: #4c6272; }
.cop-find-table h2 { font-size: 24pt; margin: 0 0 4mm; }
.cop-find-table table { width: 100%; border-collapse: collapse; font-size: 13pt; }
.cop-find-table th, .cop-find-table td { text-align: left; padding: 1.6mm 2mm; border-bottom: 1px solid #d8dde0; }
.cop-find-table__table { text-align: center; font-weight: bold; font-size: 15pt; width: 22mm; }
.cop-find-table__organisation { font-size: 10pt; color: #4c6272; }
.cop-place-card { height: 131mm; box-sizing: border-box; border: 1px solid #aeb7bd; overflow: hidden; }
.cop-place-card:nth-child(2n) { break-after: page; }
.cop-place-card__half { height: 65mm; box-sizing: border-box; padding: 14mm 10mm 0; text-align: center;
  overflow: hidden; }
.cop-place-card__name { font-size: 26pt; font-weight: bold; margin: 0; }
.cop-place-card__organisation { font-size: 13pt; margin: 2mm 0; }
.cop-place-card__tables { font-size: 12pt; margin: 2mm 0 0; }
.nhsuk-u-visually-hidden { display: none; }
"""


def made_up_plan(people: int, rounds: int, seed: int = 19):
    """A view as `cop.seating.plans.plan_view` gives it, of made-up people in tables of ten."""
    rng = random.Random(seed)
    everyone = sorted(
        (SimpleNamespace(id=n, name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                         organisation=SimpleNamespace(name=rng.choice(ORGS)) if n % 7 else None)
         for n in range(people)), key=lambda p: (p.name.casefold(), p.id))
    tables = (people + 9) // 10
    seats = {p.id: [] for p in everyone}
    view_rounds = []
    for _ in range(rounds):
        shuffled = everyone[:]
        rng.shuffle(shuffled)
        round_tables = [SimpleNamespace(number=t + 1, people=[]) for t in range(tables)]
        for n, person in enumerate(shuffled):
            round_tables[n % tables].people.append(person)
            seats[person.id].append(n % tables + 1)
        for table in round_tables:
            table.people.sort(key=lambda p: (p.name.casefold(), p.id))
        view_rounds.append(round_tables)
    view = SimpleNamespace(rounds=view_rounds, find_your_table=[(p, seats[p.id]) for p in everyone])
    event = SimpleNamespace(id=1, title="Mid and South Essex Big Room", starts_at=datetime(2026, 3, 3, 18),
                            ends_at=datetime(2026, 3, 3, 21))
    return event, SimpleNamespace(version=2), view


def pages(pdf: bytes) -> int:
    import pypdf

    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    app = migrated_app(throwaway_sqlite_url())
    from flask import render_template
    from weasyprint import CSS, HTML

    from cop.seating import print_jobs, printing

    event, shown, view = made_up_plan(args.people, args.rounds)
    parts = list(printing.PARTS)

    with app.test_request_context():
        def html(these, title_hidden=False):
            return render_template("seating/print.html", event=event, shown=shown, view=view, parts=these,
                                   part_titles=printing.PARTS, for_pdf=True, title_hidden=title_hidden)

        stylesheet = CSS(filename=str(printing.STYLESHEET))
        simple = CSS(string=SIMPLE_CSS)

        def weasyprint_parts():
            documents = [HTML(string=html([part], title_hidden=n > 0)).render(stylesheets=[stylesheet])
                         for n, part in enumerate(parts)]
            return documents[0].copy([page for d in documents for page in d.pages]).write_pdf()

        def weasyprint_simple():
            return HTML(string=html(parts)).write_pdf(stylesheets=[simple])

        def fpdf2():
            pack = print_jobs.pack_of(print_jobs.title_line(event, shown), view)
            return printing.render(pack, parts)

        candidates = {"weasyprint-parts": weasyprint_parts, "weasyprint-simple": weasyprint_simple, "fpdf2": fpdf2}
        rates = {}
        print(f"print pack: {args.people} people x {args.rounds} rounds; median of {args.repeat} (CPU seconds)")
        for name, make in candidates.items():
            spent, made = [], b""
            for _ in range(args.repeat):
                cpu = time.process_time()
                made = make()
                spent.append(time.process_time() - cpu)
            cpu_s = statistics.median(spent)
            count = pages(made)
            rates[name] = count / cpu_s
            print(f"{name:18} {count:4d} pages {cpu_s:7.2f} s CPU {rates[name]:8.1f} pages per CPU-second "
                  f"({len(made) / 1024:.0f} KB)", flush=True)
    best = max(rates, key=rates.get)
    print(f"print renderers: fastest {best} at {rates[best]:.0f} pages per CPU-second "
          f"({rates[best] / rates['weasyprint-parts']:.0f}x WeasyPrint as it was)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
