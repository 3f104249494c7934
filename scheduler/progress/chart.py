"""The progress chart: one panel per group (UDVIKLING, EMPOWERMENT, FREMTID), time along x, score 1–10
along y, a thin line per indicator and a thick line for the group's mean; difficult periods shaded.

`chart_layout` computes the geometry once (in points, origin top left); `chart_svg` draws it for the web
page and the report PDF draws the same layout with reportlab (scheduler.reports.pdf).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from html import escape

from scheduler.models import INDICATORS, ProgressGroup
from scheduler.models.progress import SCORE_MAX, SCORE_MIN
from scheduler.progress.selectors import Series

WIDTH = 620.0
PANEL_HEIGHT = 130.0
GAP = 46.0
LEFT = 30.0
RIGHT = 250.0  # room for the legend
TOP = 22.0
# Colours a colour-blind reader can tell apart, plus a dash pattern each, so print in grey works too.
STYLES = (("#0072b2", ""), ("#d55e00", "4 2"), ("#009e73", "1 2"), ("#cc79a7", "6 2 1 2"))
MEAN_COLOUR = "#222222"
SHADE = "#f6d5d5"


@dataclass
class Line:
    label: str
    colour: str
    width: float
    dash: str
    points: list[tuple[float, float]]


@dataclass
class Panel:
    title: str
    top: float
    lines: list[Line] = field(default_factory=list)
    shaded: list[tuple[float, float]] = field(default_factory=list)


@dataclass
class Layout:
    width: float
    height: float
    left: float
    plot_right: float
    panels: list[Panel]
    x_ticks: list[tuple[float, str]]
    y_ticks: list[int]

    def y(self, panel: Panel, score: float) -> float:
        return panel.top + PANEL_HEIGHT * (SCORE_MAX - score) / (SCORE_MAX - SCORE_MIN)


def chart_layout(series: Series) -> Layout:
    days = [p.measured_on for p in series.points]
    plot_right = WIDTH - RIGHT
    first, last = (min(days), max(days)) if days else (date.today(), date.today())
    span = max(1, (last - first).days)

    def x(day: date) -> float:
        if len(days) < 2:
            return (LEFT + plot_right) / 2
        return LEFT + (plot_right - LEFT) * (day - first).days / span

    layout = Layout(width=WIDTH, height=TOP + 3 * (PANEL_HEIGHT + GAP), left=LEFT, plot_right=plot_right,
                    panels=[], x_ticks=[(x(d), f"{d:%d.%m.}") for d in days], y_ticks=[1, 4, 7, 10])
    periods = series.difficult_periods()
    for i, group in enumerate(ProgressGroup):
        panel = Panel(title=str(group.label).upper(), top=TOP + i * (PANEL_HEIGHT + GAP))
        panel.shaded = [(x(a) - 4, x(b) + 4) for a, b in periods]
        indicators = [ind for ind in INDICATORS if ind.group == group]
        for (colour, dash), ind in zip(STYLES, indicators, strict=True):
            pts = [(x(d), layout.y(panel, v)) for d, v in series.indicator(ind.code)]
            panel.lines.append(Line(ind.label, colour, 1.2, dash, pts))
        mean = [(x(d), layout.y(panel, v)) for d, v in series.group(group)]
        panel.lines.append(Line("Gennemsnit", MEAN_COLOUR, 2.6, "", mean))
        layout.panels.append(panel)
    return layout


def _polyline(line: Line) -> str:
    pts = " ".join(f"{px:.1f},{py:.1f}" for px, py in line.points)
    dash = f' stroke-dasharray="{line.dash}"' if line.dash else ""
    dots = "".join(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="{line.width + 0.8:.1f}" fill="{line.colour}"/>'
                   for px, py in line.points)
    return (f'<polyline points="{pts}" fill="none" stroke="{line.colour}" stroke-width="{line.width}"{dash}/>'
            + dots)


def _panel_svg(layout: Layout, panel: Panel) -> list[str]:
    out = [f'<text x="{layout.left}" y="{panel.top - 8:.1f}" font-weight="bold" font-size="10">'
           f"{escape(panel.title)}</text>"]
    for x0, x1 in panel.shaded:
        out.append(f'<rect x="{x0:.1f}" y="{panel.top:.1f}" width="{x1 - x0:.1f}" height="{PANEL_HEIGHT}" '
                   f'fill="{SHADE}"><title>Svær periode</title></rect>')
    for tick in layout.y_ticks:
        y = layout.y(panel, tick)
        out.append(f'<line x1="{layout.left}" x2="{layout.plot_right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
                   f'<text x="{layout.left - 6}" y="{y + 3:.1f}" text-anchor="end">{tick}</text>')
    for x, label in layout.x_ticks:
        out.append(f'<text x="{x:.1f}" y="{panel.top + PANEL_HEIGHT + 12:.1f}" text-anchor="middle">{label}</text>')
    out += [_polyline(line) for line in panel.lines if line.points]
    for j, line in enumerate(panel.lines):
        ly = panel.top + 12 + j * 15
        dash = f' stroke-dasharray="{line.dash}"' if line.dash else ""
        out.append(f'<line x1="{layout.plot_right + 12}" x2="{layout.plot_right + 32}" y1="{ly - 3}" y2="{ly - 3}" '
                   f'stroke="{line.colour}" stroke-width="{line.width}"{dash}/>'
                   f'<text x="{layout.plot_right + 36}" y="{ly}">{escape(line.label)}</text>')
    return out


def chart_svg(series: Series) -> str:
    """The chart as an inline SVG element (no scripts, no external references)."""
    layout = chart_layout(series)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {layout.width:.0f} {layout.height:.0f}" '
        f'width="100%" role="img" aria-labelledby="progress-chart-title" class="progress-chart" '
        'font-family="sans-serif" font-size="9" fill="#333">',
        '<title id="progress-chart-title">Progression over tid pr. gruppe og indikator (1–10); '
        'svære perioder er skraveret</title>',
    ]
    for panel in layout.panels:
        parts += _panel_svg(layout, panel)
    parts.append("</svg>")
    return "".join(parts)
