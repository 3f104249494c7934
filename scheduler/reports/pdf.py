"""The progress report as a PDF (reportlab, A4 portrait, Danish, DejaVu Sans like the ugeskemaer).

Sections in the order of seed 001: the course and its outcome; the citizen's resources, barriers and
development possibilities; the activities attended and missed (by kind and week); the progress chart and
the 12 indicators first and last; the agreements; the recommendation for next steps; version and sign-off.
"""
from __future__ import annotations

import io
from datetime import datetime
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from scheduler.progress.chart import PANEL_HEIGHT, Layout, chart_layout
from scheduler.progress.selectors import Series
from scheduler.publishing.pdf import FONT, FONT_BOLD, register_fonts
from scheduler.reports.selectors import ReportContent

MARGIN = 1.8 * cm
BODY = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=13.5)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=8.5, leading=11, textColor=colors.HexColor("#444444"))
H1 = ParagraphStyle("h1", parent=BODY, fontName=FONT_BOLD, fontSize=17, leading=21, spaceAfter=4)
H2 = ParagraphStyle("h2", parent=BODY, fontName=FONT_BOLD, fontSize=12, leading=15, spaceBefore=10, spaceAfter=4)


def _p(text: str, style: ParagraphStyle = BODY) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


class ChartFlowable(Flowable):
    """The web chart's layout (scheduler.progress.chart) drawn with reportlab, scaled to the frame width."""

    def __init__(self, series: Series, width: float) -> None:
        super().__init__()
        self.layout: Layout = chart_layout(series)
        self.scale = width / self.layout.width
        self.width, self.height = width, self.layout.height * self.scale

    def draw(self) -> None:
        c, lay = self.canv, self.layout
        c.saveState()
        c.translate(0, self.height)
        c.scale(self.scale, -self.scale)  # the layout's origin is top left, y downwards
        for panel in lay.panels:
            self._panel(c, lay, panel)
        c.restoreState()

    def _text(self, c: object, x: float, y: float, text: str, *, size: float = 8, bold: bool = False,
              anchor: str = "left") -> None:
        c.saveState()
        c.translate(x, y)
        c.scale(1, -1)
        c.setFont(FONT_BOLD if bold else FONT, size)
        c.setFillColor(colors.HexColor("#333333"))
        {"left": c.drawString, "middle": c.drawCentredString, "end": c.drawRightString}[anchor](0, 0, text)
        c.restoreState()

    def _panel(self, c: object, lay: Layout, panel: object) -> None:
        self._text(c, lay.left, panel.top - 8, panel.title, size=9.5, bold=True)
        c.setFillColor(colors.HexColor("#f6d5d5"))
        for x0, x1 in panel.shaded:
            c.rect(x0, panel.top, x1 - x0, PANEL_HEIGHT, stroke=0, fill=1)
        c.setStrokeColor(colors.HexColor("#dddddd"))
        c.setLineWidth(0.5)
        for tick in lay.y_ticks:
            y = lay.y(panel, tick)
            c.line(lay.left, y, lay.plot_right, y)
            self._text(c, lay.left - 6, y + 3, str(tick), anchor="end")
        for x, label in lay.x_ticks:
            self._text(c, x, panel.top + PANEL_HEIGHT + 12, label, size=7, anchor="middle")
        for j, line in enumerate(panel.lines):
            colour = colors.HexColor(line.colour)
            c.setStrokeColor(colour)
            c.setFillColor(colour)
            c.setLineWidth(line.width)
            c.setDash([float(v) for v in line.dash.split()] if line.dash else [])
            if len(line.points) > 1:
                path = c.beginPath()
                path.moveTo(*line.points[0])
                for point in line.points[1:]:
                    path.lineTo(*point)
                c.drawPath(path, stroke=1, fill=0)
            for px, py in line.points:
                c.circle(px, py, line.width + 0.6, stroke=0, fill=1)
            ly = panel.top + 12 + j * 15
            c.line(lay.plot_right + 12, ly - 3, lay.plot_right + 32, ly - 3)
            c.setDash([])
            self._text(c, lay.plot_right + 36, ly, line.label, size=7.5)


def _table(rows: list[list[object]], widths: list[float], *, header: bool = True) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    style = [("FONT", (0, 0), (-1, -1), FONT, 9), ("VALIGN", (0, 0), (-1, -1), "TOP"),
             ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#bbbbbb")),
             ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]
    if header:
        style += [("FONT", (0, 0), (-1, 0), FONT_BOLD, 9), ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee"))]
    table.setStyle(TableStyle(style))
    return table


def _facts(content: ReportContent) -> Table:
    e = content.enrolment
    tg = e.target_group
    rows = [
        ["Borger", f"{e.citizen.full_name} ({e.citizen.reference})"],
        ["Center", e.citizen.site.name],
        ["Henvisende jobcenter", e.referring_jobcentre],
        ["Målgruppe", f"{tg.name} (normal længde {tg.min_weeks}–{tg.max_weeks} uger)"],
        ["Indsatsmodel", e.intervention_model.name],
        ["Forløb", f"{e.start_date:%d.%m.%Y} – {content.end:%d.%m.%Y} ({content.weeks} uger)"],
        ["Fast kontaktperson", e.contact_consultant.name if e.contact_consultant else "–"],
        ["Udfald", content.outcome or "Ikke afsluttet"],
    ]
    return _table([[_p(a, SMALL), _p(b)] for a, b in rows], [4.2 * cm, 12.8 * cm], header=False)


def _attendance(content: ReportContent) -> list[Flowable]:
    out: list[Flowable] = [Paragraph("Deltagelse i aktiviteter", H2), _p(
        f"Deltaget: {content.attended}. Udeblevet eller afbud: {content.missed}.")]
    if content.attendance:
        rows: list[list[object]] = [["Uge", "Aktivitet", "Deltaget", "Udeblevet/afbud", "Aflyst af centret"]]
        rows += [[r.week, r.kind, r.held, r.missed, r.cancelled] for r in content.attendance]
        out.append(Spacer(1, 4))
        out.append(_table(rows, [2.4 * cm, 6 * cm, 2.4 * cm, 3.2 * cm, 3 * cm]))
    return out


def _progress(content: ReportContent, width: float) -> list[Flowable]:
    out: list[Flowable] = [Paragraph("Progression", H2)]
    series = content.series
    if series is None or not series.points:
        return [*out, _p("Der er ikke registreret progressionsmålinger i forløbet.")]
    periods = ", ".join(f"{a:%d.%m.}–{b:%d.%m.%Y}" for a, b in series.difficult_periods())
    out.append(_p(f"{len(series.points)} målinger sammen med borgeren, skala 1–10. "
                  + (f"Svære perioder (skraveret): {periods}." if periods else "Ingen svære perioder.")))
    out.append(Spacer(1, 6))
    out.append(ChartFlowable(series, width))
    rows: list[list[object]] = [["Gruppe", "Indikator", "Første", "Seneste", "Ændring"]]
    for r in content.indicators:
        change = "–" if r.change is None else (f"+{r.change}" if r.change > 0 else str(r.change))
        rows.append([r.group, _p(r.label, SMALL), r.first or "–", r.latest or "–", change])
    out.append(KeepTogether([Spacer(1, 6), _table(rows, [3.2 * cm, 8 * cm, 1.9 * cm, 1.9 * cm, 2 * cm])]))
    return out


def progress_report_pdf(content: ReportContent, *, version: int, texts: dict[str, str],
                        created_at: datetime, signed_off: tuple[str, datetime] | None = None) -> bytes:
    """The report's bytes. `texts`: resources, barriers, possibilities, recommendation."""
    register_fonts()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                            bottomMargin=MARGIN, title="Progressionsrapport", author="Ugeskema",
                            invariant=1)
    width = A4[0] - 2 * MARGIN
    story: list[Flowable] = [Paragraph("Progressionsrapport", H1), _facts(content)]
    for key, title in (("resources", "Borgerens ressourcer"), ("barriers", "Barrierer"),
                       ("possibilities", "Udviklingsmuligheder")):
        story += [Paragraph(title, H2), _p(texts.get(key) or "–")]
    story += _attendance(content)
    story += _progress(content, width)
    story.append(Paragraph("Aftaler", H2))
    story += [_p(f"{made:%d.%m.%Y}: {text}") for made, text in content.agreements] or [_p("Ingen aftaler registreret.")]
    story += [Paragraph("Anbefaling til det videre forløb", H2), _p(texts.get("recommendation") or "–")]
    local = timezone.localtime(created_at)
    footer = f"Version {version}, dannet {local:%d.%m.%Y kl. %H.%M}. "
    if signed_off:
        footer += f"Godkendt af {signed_off[0]} den {timezone.localtime(signed_off[1]):%d.%m.%Y}."
    else:
        footer += "Ikke godkendt endnu (kladde)."
    story += [Spacer(1, 12), _p(footer, SMALL)]
    doc.build(story)
    return buffer.getvalue()
