"""Charts as server-rendered SVG: they print, and need no JavaScript.

Each chart is an `<svg role="img">` named by its `<title>` and `<desc>` (aria-labelledby);
the page puts a table of the same numbers beside it for screen readers. Colours are SVG
presentation attributes, not `style`, which the Content-Security-Policy would block.
Built with ElementTree, so every label is escaped and the markup is well-formed. A label too long
for its room is cut to fit (cop.text.fit_width) and given whole in its group's `<title>`.
"""
import math
import xml.etree.ElementTree as ET

from markupsafe import Markup

from cop.text import fit_width

SVG_NS = "http://www.w3.org/2000/svg"
TEXT = "#212b32"
GRID = "#d8dde0"
BAR = "#005eb8"
# Line series: colour, dash and marker differ, so the lines tell apart in grey print too.
SERIES_STYLES = [("#005eb8", "", "circle"), ("#007f3b", "6 4", "square"), ("#7c2855", "2 3", "diamond")]
FONT = "Arial, sans-serif"
MOST_MARKED = 25  # x labels and point markers on a line chart (see line_chart)


def _svg(chart_id: str, title: str, description: str, width: int, height: int) -> ET.Element:
    svg = ET.Element("svg", {
        "xmlns": SVG_NS, "viewBox": f"0 0 {width} {height}", "width": str(width), "height": str(height),
        "role": "img", "aria-labelledby": f"{chart_id}-title {chart_id}-desc", "class": "cop-chart",
        "id": chart_id, "font-family": FONT, "font-size": "14", "fill": TEXT,
    })
    ET.SubElement(svg, "title", {"id": f"{chart_id}-title"}).text = title
    ET.SubElement(svg, "desc", {"id": f"{chart_id}-desc"}).text = description
    return svg


def _markup(svg: ET.Element) -> Markup:
    return Markup(ET.tostring(svg, encoding="unicode"))


def _text(parent: ET.Element, x: float, y: float, text: str, anchor: str = "start", **attributes) -> ET.Element:
    element = ET.SubElement(parent, "text", {"x": f"{x:.1f}", "y": f"{y:.1f}", "text-anchor": anchor,
                                             **{k.replace("_", "-"): str(v) for k, v in attributes.items()}})
    element.text = text
    return element


def _nice_maximum(value: float) -> float:
    """A round number at or above value for the axis: 1, 2, 5 x a power of ten."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def bar_chart(chart_id: str, title: str, description: str, rows: list[tuple[str, int]],
              label_width: int = 300) -> Markup:
    """Horizontal bars, one per (label, count), in the order given; the count is written at each bar's end."""
    bar_height, gap, top, width = 22, 8, 10, 760
    height = top + len(rows) * (bar_height + gap) + 10
    svg = _svg(chart_id, title, description, width, max(height, 40))
    most = max((count for _, count in rows), default=0) or 1
    room = width - label_width - 60
    for index, (label, count) in enumerate(rows):
        y = top + index * (bar_height + gap)
        group = ET.SubElement(svg, "g", {"class": "cop-chart__bar-group"})
        ET.SubElement(group, "title").text = f"{label}: {count}"
        _text(group, label_width - 8, y + 16, fit_width(label, label_width - 12, 14), "end")
        ET.SubElement(group, "rect", {"class": "cop-chart__bar", "x": str(label_width), "y": str(y),
                                      "width": f"{room * count / most:.1f}", "height": str(bar_height), "fill": BAR})
        _text(group, label_width + room * count / most + 6, y + 16, str(count))
    return _markup(svg)


def line_chart(chart_id: str, title: str, description: str, x_labels: list[str],
               series: list[tuple[str, list[float | None]]], percent: bool = False) -> Markup:
    """One line per (name, values), a point per x label (None leaves a gap); a legend below."""
    width, left, right, top, bottom = 760, 90, 30, 20, 90
    plot_height = 260
    height = top + plot_height + bottom + 24 * len(series)
    svg = _svg(chart_id, title, description, width, height)
    values = [v for _, vs in series for v in vs if v is not None]
    most = 1.0 if percent else _nice_maximum(max(values, default=0))
    plot_width = width - left - right
    step = plot_width / max(1, len(x_labels) - 1) if len(x_labels) > 1 else 0

    def x_of(index: int) -> float:
        return left + (index * step if len(x_labels) > 1 else plot_width / 2)

    def y_of(value: float) -> float:
        return top + plot_height - plot_height * value / most

    axis = ET.SubElement(svg, "g", {"class": "cop-chart__axis", "aria-hidden": "true"})
    for tick in range(5):
        tick_value = most * tick / 4
        y = y_of(tick_value)
        ET.SubElement(axis, "line", {"x1": str(left), "x2": str(width - right), "y1": f"{y:.1f}", "y2": f"{y:.1f}",
                                     "stroke": GRID})
        _text(axis, left - 6, y + 5, f"{tick_value:.0%}" if percent else f"{tick_value:g}", "end")
    # Each x label slants down to the left from its point at 40 degrees: across by cos 40 (0.77) of its length,
    # which must stay inside the left edge, and down by sin 40 (0.64), which must stay above the legend.
    label_room = min((left - 4) / 0.77, (bottom - 34) / 0.64)
    # Past MOST_MARKED points, every k-th label and marker only (and always the last, and any point standing
    # alone between gaps, which no line shows): 150 events' labels would overlap, and a marker each is most of
    # the page. The table beside the chart gives every number.
    every = max(1, math.ceil(len(x_labels) / MOST_MARKED))

    def marked(index: int) -> bool:
        return index % every == 0 or index == len(x_labels) - 1

    for index, label in enumerate(x_labels):
        if not marked(index):
            continue
        _text(axis, x_of(index), top + plot_height + 18, fit_width(label, label_room, 12),
              "end", transform=f"rotate(-40 {x_of(index):.1f} {top + plot_height + 18})", font_size=12)
    for number, (name, points) in enumerate(series):
        colour, dash, marker = SERIES_STYLES[number % len(SERIES_STYLES)]
        group = ET.SubElement(svg, "g", {"class": "cop-chart__series"})
        ET.SubElement(group, "title").text = name
        run: list[str] = []
        runs = [run]
        for index, value in enumerate(points):
            if value is None:
                run = []
                runs.append(run)
            else:
                run.append(f"{x_of(index):.1f},{y_of(value):.1f}")
        for points_text in runs:
            if len(points_text) > 1:
                attributes = {"points": " ".join(points_text), "fill": "none", "stroke": colour, "stroke-width": "3"}
                if dash:
                    attributes["stroke-dasharray"] = dash
                ET.SubElement(group, "polyline", attributes)
        for index, value in enumerate(points):
            alone = ((index == 0 or points[index - 1] is None)
                     and (index + 1 == len(points) or points[index + 1] is None))
            if value is not None and (marked(index) or alone):
                point = _marker(group, marker, x_of(index), y_of(value), colour)
                ET.SubElement(point, "title").text = (
                    f"{name}, {x_labels[index]}: {value:.0%}" if percent else f"{name}, {x_labels[index]}: {value:g}")
        legend_y = top + plot_height + bottom + 24 * number
        _marker(svg, marker, left + 10, legend_y - 5, colour)
        _text(svg, left + 28, legend_y, name)
    return _markup(svg)


def _marker(parent: ET.Element, shape: str, x: float, y: float, colour: str) -> ET.Element:
    group = ET.SubElement(parent, "g", {"class": "cop-chart__point"})
    if shape == "square":
        ET.SubElement(group, "rect", {"x": f"{x - 5:.1f}", "y": f"{y - 5:.1f}", "width": "10", "height": "10",
                                      "fill": colour})
    elif shape == "diamond":
        ET.SubElement(group, "polygon", {"points": f"{x:.1f},{y - 6:.1f} {x + 6:.1f},{y:.1f} {x:.1f},{y + 6:.1f} "
                                                   f"{x - 6:.1f},{y:.1f}", "fill": colour})
    else:
        ET.SubElement(group, "circle", {"cx": f"{x:.1f}", "cy": f"{y:.1f}", "r": "5", "fill": colour})
    return group


def network_chart(chart_id: str, title: str, description: str, nodes: list[tuple[str, int]],
                  links: dict[tuple[str, str], int]) -> Markup:
    """Organisations round a circle (a dot each, sized by attendances); a line joins two that have sat
    together, thicker for more pairs of their people. Organisations with no line are left out."""
    weighted = [(a, b, weight) for (a, b), weight in links.items()]
    linked = {name for a, b, _ in weighted for name in (a, b)}
    nodes = [(name, size) for name, size in nodes if name in linked]
    # Labels run outwards along their spoke, so neighbours never overlap: up to the edge, less a margin.
    width = height = 980
    radius = 250
    centre_x, centre_y = width / 2, height / 2
    svg = _svg(chart_id, title, description, width, height)
    if not nodes:
        _text(svg, centre_x, centre_y, "Nobody from different organisations has shared a table yet.", "middle")
        return _markup(svg)
    position = {}
    for index, (name, _size) in enumerate(nodes):
        angle = 2 * math.pi * index / len(nodes) - math.pi / 2
        position[name] = (centre_x + radius * math.cos(angle), centre_y + radius * math.sin(angle), angle)
    heaviest = max(weight for _, _, weight in weighted) or 1
    edges = ET.SubElement(svg, "g", {"class": "cop-chart__links"})
    for a, b, weight in sorted(weighted, key=lambda link: link[2]):
        (x1, y1, _), (x2, y2, _) = position[a], position[b]
        line = ET.SubElement(edges, "line", {
            "class": "cop-chart__link", "x1": f"{x1:.1f}", "y1": f"{y1:.1f}", "x2": f"{x2:.1f}", "y2": f"{y2:.1f}",
            "stroke": BAR, "stroke-opacity": f"{0.15 + 0.6 * weight / heaviest:.2f}",
            "stroke-width": f"{0.5 + 4.5 * weight / heaviest:.1f}"})
        ET.SubElement(line, "title").text = f"{a} and {b}: {weight} {'pair' if weight == 1 else 'pairs'}"
    largest = max(size for _, size in nodes) or 1
    for name, size in nodes:
        x, y, angle = position[name]
        group = ET.SubElement(svg, "g", {"class": "cop-chart__organisation"})
        ET.SubElement(group, "title").text = f"{name}: {size} attendances"
        dot = 3 + 7 * math.sqrt(size / largest)
        ET.SubElement(group, "circle", {"cx": f"{x:.1f}", "cy": f"{y:.1f}", "r": f"{dot:.1f}",
                                        "fill": "#003087", "stroke": "#ffffff", "stroke-width": "1"})
        right = math.cos(angle) >= -1e-9
        degrees = math.degrees(angle) if right else math.degrees(angle) + 180
        label_x, label_y = x + 14 * math.cos(angle), y + 14 * math.sin(angle)
        _text(group, label_x, label_y + 4, fit_width(name, width / 2 - radius - 14 - 8, 12),
              "start" if right else "end", font_size=12,
              transform=f"rotate({degrees:.1f} {label_x:.1f} {label_y:.1f})")
    return _markup(svg)
