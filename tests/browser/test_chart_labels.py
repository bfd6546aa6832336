"""Chart labels are not clipped: every text of every server-drawn chart, drawn by Chromium, lies inside the
chart's box, with long Welsh, accented, capitalised and non-Latin organisation names (issue 17, item 7).
A label cut to fit keeps its whole text in a `<title>`."""
from collections import namedtuple

import pytest

from cop.feedback import charts as feedback_charts
from cop.reports import charts as report_charts

LONG_NAMES = [
    "Bwrdd Iechyd Prifysgol Betsi Cadwaladr University Health Board",
    "Ymddiriedolaeth GIG Gwasanaethau Ambiwlans Cymru — Welsh Ambulance Services",
    "MID AND SOUTH ESSEX NHS FOUNDATION TRUST WOMEN'S AND CHILDREN'S SERVICES",
    "Médecins Généralistes Associés de Saint-Étienne-du-Rouvray et Environs",
    "WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW",
    "東京都立病院機構 国際医療研究センター 地域連携部門",
    "Ysbyty Gwynedd",
]
Bar = namedtuple("Bar", "label count share")


def _charts() -> str:
    bars = [Bar(name, 1000 * (i + 1), 1.0) for i, name in enumerate(LONG_NAMES)]
    nodes = [(name, 10 + i) for i, name in enumerate(LONG_NAMES)]
    links = {(LONG_NAMES[i], LONG_NAMES[(i + 1) % len(LONG_NAMES)]): 3 for i in range(len(LONG_NAMES))}
    return "".join([
        feedback_charts.bar_chart(bars),
        report_charts.bar_chart("bars", "Attendance by organisation", "Bars", [(n, 123456) for n in LONG_NAMES]),
        report_charts.line_chart("lines", "Attendance", "Lines", ["Dydd Mercher 17 Rhagfyr 2026", *LONG_NAMES[:3]],
                                 [("Attendance", [1, 2, 3, 4]), ("Organisations reached so far", [1, 2, None, 4])]),
        report_charts.network_chart("network", "Organisations", "Network", nodes, links),
    ])


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def test_every_chart_label_is_inside_its_chart_and_a_cut_one_keeps_its_whole_text(page):
    html = _charts()
    page.set_content(f'<!DOCTYPE html><html lang="cy"><body style="margin:0">{html}</body></html>')
    outside = page.evaluate("""() => {
        const found = [];
        for (const svg of document.querySelectorAll('svg')) {
            const box = svg.getBoundingClientRect();
            for (const text of svg.querySelectorAll('text')) {
                const r = text.getBoundingClientRect();
                if (r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5
                        || r.bottom > box.bottom + 0.5) {
                    found.push(`${svg.id || 'feedback'}: "${text.textContent}" at ${Math.round(r.left - box.left)}..`
                               + `${Math.round(r.right - box.left)} of ${Math.round(box.width)}`);
                }
            }
        }
        return found;
    }""")
    assert outside == []
    # The checks above ran on real glyphs: the page had the labels, some cut, each whole in a title.
    texts = page.eval_on_selector_all("text", "els => els.map(e => e.textContent)")
    titles = " ".join(page.eval_on_selector_all("title", "els => els.map(e => e.textContent)"))
    assert "Ysbyty Gwynedd" in texts and any(t.endswith("…") for t in texts)
    assert all(name in titles for name in LONG_NAMES)


def test_the_year_picture_s_labels_stay_inside_their_month_s_card(page):
    """The year of themes' picture (issue 22): each card's texts, drawn by Chromium, inside the card."""
    from datetime import date
    from types import SimpleNamespace

    from cop.programme import picture
    from cop.programme.year import Month, add_months

    months = [Month(add_months(date(2026, 9, 1), n)) for n in range(12)]
    for n, month in enumerate(months):
        month.themes = [SimpleNamespace(name=name) for name in LONG_NAMES[:n % 5]]
        month.events = [object()] * n
    page.set_content('<!DOCTYPE html><html lang="cy"><body style="margin:0">'
                     f'{picture.year_picture_markup(LONG_NAMES[0], months)}</body></html>')
    outside = page.evaluate("""() => {
        const found = [];
        for (const card of document.querySelectorAll('g.cop-year__month')) {
            const box = card.querySelector('rect').getBoundingClientRect();
            for (const text of card.querySelectorAll('text')) {
                const r = text.getBoundingClientRect();
                if (r.left < box.left || r.right > box.right || r.top < box.top || r.bottom > box.bottom) {
                    found.push(text.textContent);
                }
            }
        }
        return found;
    }""")
    assert outside == []
    assert page.locator("g.cop-year__month").count() == 12
