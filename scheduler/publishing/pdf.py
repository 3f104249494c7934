"""Printable ugeskemaer (reportlab): one citizen, a site's batch (each citizen from a new page), a consultant.

Danish text in the bundled DejaVu Sans (Helvetica cannot print Ł, Ş or ć). Every item is told apart
without colour: appointments have a solid frame, internship days a dashed frame and the label
PRAKTIK, group sessions the label HOLD, cancelled items the label AFLYST and struck-through text,
closed days a hatched grey cell with the reason. `invariant=1` makes equal input give equal bytes.
"""

import io
from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Flowable,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from rooms.models import Site
from scheduler.models import Citizen, Consultant
from scheduler.publishing.bidi import visual_order
from scheduler.publishing.ugeskema import (
    Week,
    WeekDay,
    WeekItem,
    citizen_week,
    consultant_week,
    site_citizen_weeks,
)
from scheduler.weeks import iso_week_label

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
PAGE = landscape(A4)
MARGIN = 1.2 * cm
BODY_SIZE = 10  # never below 10 pt: many readers of an ugeskema read with difficulty


@lru_cache(maxsize=1)
def register_fonts() -> TTFont:
    regular = TTFont(FONT, str(FONT_DIR / "DejaVuSans.ttf"))
    pdfmetrics.registerFont(regular)
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)
    return regular


def _cmap() -> dict[int, int]:
    return register_fonts().face.charToGlyph


def font_can_print(text: str) -> bool:
    """True when every character has a glyph in the bundled font (nothing would print as a box)."""
    cmap = _cmap()
    return all(ch.isspace() or ord(ch) in cmap for ch in text)


def printable_name(name: str, fallback: str) -> str:
    """The name as it can be printed, or the fallback (the citizen reference) when it cannot.

    reportlab lays text out left to right without shaping: right-to-left runs are shaped and put in visual
    order by scheduler.publishing.bidi when printed (`_safe`; a stray direction mark in a Danish name
    changes nothing). Returned in logical order.
    """
    if not name or not font_can_print(visual_order(name)):
        return fallback
    return name


def _safe(text: str, fallback: str = "?") -> str:
    """Escape for Paragraph markup; characters without a glyph are replaced, never boxed."""
    cmap = _cmap()
    text = visual_order(text)
    cleaned = "".join(ch if ch.isspace() or ord(ch) in cmap else fallback for ch in text)
    return escape(cleaned)


@lru_cache(maxsize=1)
def _styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    base = ParagraphStyle("base", fontName=FONT, fontSize=BODY_SIZE, leading=12.5, alignment=TA_LEFT)
    return {
        "title": ParagraphStyle("title", parent=base, fontName=FONT_BOLD, fontSize=18, leading=22),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontName=FONT_BOLD, fontSize=13, leading=17),
        "body": base,
        "bold": ParagraphStyle("bold", parent=base, fontName=FONT_BOLD),
        "head": ParagraphStyle("head", parent=base, fontName=FONT_BOLD, fontSize=11, leading=14),
        "small": ParagraphStyle("small", parent=base),
    }


def letter_styles() -> dict[str, ParagraphStyle]:
    """The ugeskema's fonts and sizes for other printouts (change letters)."""
    return _styles()


def _item_flowable(item: WeekItem, width: float) -> Flowable:
    s = _styles()
    labels = []
    if item.cancelled:
        labels.append("AFLYST")
    if item.moved:
        labels.append("NY TID")
    if item.is_internship:
        labels.append(item.work_tag)
    if item.is_group:
        labels.append("HOLD")
    head = f"<b>{_safe(item.time_text)}</b>" + (f"  <b>[{' · '.join(labels)}]</b>" if labels else "")
    title = _safe(item.title)
    if item.cancelled:
        title = f"<strike>{title}</strike>"
    rows = [[Paragraph(head, s["body"])], [Paragraph(title, s["body"])]]
    if item.where:
        rows.append([Paragraph(f"<b>Hvor:</b> {_safe(item.where)}", s["body"])])
    if item.with_whom:
        rows.append([Paragraph(f"<b>Med:</b> {_safe(item.with_whom)}", s["body"])])
    table = _Box(rows, colWidths=[width - 4])
    style = [
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 1),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
    ]
    if item.is_internship:
        style.append(("BOX", (0, 0), (-1, -1), 1, colors.black, None, (3, 2)))
    elif item.cancelled:
        style.append(("BOX", (0, 0), (-1, -1), 0.5, colors.black, None, (1, 2)))
    else:
        style.append(("BOX", (0, 0), (-1, -1), 1.2 if item.is_group else 0.8, colors.black))
    table.setStyle(TableStyle(style))
    return table


class _Box(Table):
    """One appointment's box: never split across pages (the week's row splits between boxes instead)."""

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        return []


class _Hatch(Flowable):
    """Diagonal lines behind a closed day's label: visible on a black-and-white printout."""

    def __init__(self, width: float, height: float, text: str) -> None:
        super().__init__()
        self.width, self.height, self.text = width, height, text

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        c = self.canv
        c.saveState()
        clip = c.beginPath()
        clip.rect(0, 0, self.width, self.height)
        c.clipPath(clip, stroke=0, fill=0)
        c.setStrokeColor(colors.Color(0.6, 0.6, 0.6))
        c.setLineWidth(0.5)
        step = 12
        for x in range(-int(self.height), int(self.width), step):
            c.line(x, 0, x + self.height, self.height)
        c.setFillColor(colors.white)
        c.rect(4, self.height - 34, self.width - 8, 28, stroke=1, fill=1)
        c.setFillColor(colors.black)
        c.setFont(FONT_BOLD, 11)
        c.drawString(8, self.height - 18, self.text[:40])
        c.setFont(FONT, BODY_SIZE)
        c.drawString(8, self.height - 30, "Ingen aftaler")
        c.restoreState()


def _week_table(week: Week, width: float, height: float) -> Table:
    s = _styles()
    col = width / 5
    header = [Paragraph(_safe(day.heading), s["head"]) for day in week.days]
    body: list[list[Flowable] | Flowable] = []
    for day in week.days:
        body.append(_day_cell(day, col, height))
    # A week too long for the page continues on the next with the day headings repeated (splitInRow
    # lets the one tall row of days break between items) rather than being shrunk below 10 pt.
    table = Table([header, body], colWidths=[col] * 5, repeatRows=1, splitInRow=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.8, colors.black),
                ("LINEBELOW", (0, 0), (-1, 0), 2, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _day_cell(day: WeekDay, col: float, height: float) -> list[Flowable] | Flowable:
    if day.closed and not day.items:
        return _Hatch(col - 6, min(height, 120), day.closed)
    cell: list[Flowable] = []
    if day.closed:
        cell.append(Paragraph(f"<b>{_safe(day.closed)}</b>", _styles()["body"]))
    for item in day.items:
        cell.append(_item_flowable(item, col - 6))
        cell.append(Spacer(1, 4))
    if not cell:
        cell.append(Paragraph("Ingen aftaler", _styles()["body"]))
    return cell


MAX_AGREEMENTS = 6
QR_SIZE = 62


def _link_row(link: str, width: float) -> Table:
    """The QR code and the address of the citizen's own page, for a printout handed to the citizen."""
    from scheduler.publishing.qr import qr_drawing

    s = _styles()
    text = Paragraph(
        "<b>Dit ugeskema på telefonen:</b> scan koden med kameraet, eller skriv adressen:<br/>"
        f"{_safe(link)}<br/>Siden viser altid den nyeste udgave, også hvis en tid bliver flyttet.",
        s["body"],
    )
    table = Table([[qr_drawing(link, size=QR_SIZE), text]], colWidths=[QR_SIZE + 10, width - QR_SIZE - 10])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (0, 0), 0)]))
    return table


def _page(week: Week, *, name: str, link: str = "") -> list[Flowable]:
    s = _styles()
    width = PAGE[0] - 2 * MARGIN
    height = PAGE[1] - 2 * MARGIN
    ident = f"Ref. {week.owner_reference}" + (f" · version {week.version}" if week.version else "")
    content: list[Flowable] = [
        _Owner(f"Ugeskema for {name} · {week.label}", ident),
        Paragraph(f"Ugeskema for {_safe(name)}", s["title"]),
        Paragraph(_safe(week.label), s["subtitle"]),
    ]
    facts = []
    if week.contact:
        facts.append(f"<b>Kontaktperson:</b> {_safe(week.contact)}")
    if week.site_text:
        facts.append(f"<b>Center:</b> {_safe(week.site_text)}")
    if facts:
        content.append(Paragraph(" · ".join(facts), s["body"]))
    content.append(Spacer(1, 6))
    agreements = week.agreements[:MAX_AGREEMENTS]
    # The week keeps to one page: the table gives up the room the agreements and the link take.
    reserved = 120 + (14 * (len(agreements) + 1) if agreements else 0) + (QR_SIZE + 8 if link else 0)
    content.append(_week_table(week, width, height - reserved))
    content.append(Spacer(1, 6))
    if agreements:
        lines = "<br/>".join(f"• {_safe(text)}" for text in agreements)
        content.append(Paragraph(f"<b>Dine aftaler:</b><br/>{lines}", s["body"]))
    content.append(
        Paragraph(
            "Fast ramme = aftale · Tyk ramme og HOLD = holdforløb · Stiplet ramme og PRAKTIK = praktikdag "
            "(ARBEJDE = delvis raskmelding) · Prikket ramme, overstreget og AFLYST = aftalen er aflyst · "
            "NY TID = tid eller sted er ændret siden sidst · Skraveret felt = lukket/helligdag",
            s["small"],
        )
    )
    if link:
        content.append(_link_row(link, width))
    return [*content, PageBreak()]


class _Owner(Flowable):
    """Zero-size mark where a person's pages begin: their continuation pages are headed with it."""

    def __init__(self, text: str, ident: str = "") -> None:
        super().__init__()
        self.text, self.ident = text, ident

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        # read by _Document.afterPage
        self.canv._ugeskema_owner = (self.text, self.canv.getPageNumber(), self.ident)


class _Document(SimpleDocTemplate):
    def afterPage(self) -> None:
        owner = getattr(self.canv, "_ugeskema_owner", None)
        page = self.canv.getPageNumber()
        if owner is not None:
            # Every sheet names whose it is and what it shows (several citizens may share a name) and when
            # it was printed: the reference, the version and the date, small at the foot.
            self.canv.saveState()
            self.canv.setFont(FONT, BODY_SIZE)
            printed = timezone.localdate().strftime("%d.%m.%Y")
            self.canv.drawRightString(PAGE[0] - MARGIN, MARGIN - 14, f"{owner[2]} · udskrevet {printed}")
            self.canv.restoreState()
        if owner is None or page == owner[1]:
            return
        self.canv.saveState()
        self.canv.setFont(FONT, BODY_SIZE)
        self.canv.drawString(MARGIN, PAGE[1] - MARGIN + 10, f"{owner[0]} (fortsat, side {page - owner[1] + 1})")
        self.canv.restoreState()


def _document(pages: Iterable[list[Flowable]], *, title: str) -> bytes:
    register_fonts()
    buffer = io.BytesIO()
    doc = _Document(
        buffer,
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title,
        author="Ugeskema",
        lang="da",
        invariant=1,
    )
    story: list[Flowable] = []
    for page in pages:
        story.extend(page)
    if story and isinstance(story[-1], PageBreak):
        story.pop()
    if not story:
        story.append(Paragraph("Ingen borgere i ugen.", _styles()["body"]))
    doc.build(story)
    return buffer.getvalue()


def citizen_name_for_print(week: Week) -> str:
    return printable_name(week.owner_name, week.owner_reference)


def week_pdf(week: Week, *, link: str = "") -> bytes:
    name = citizen_name_for_print(week)
    return _document([_page(week, name=name, link=link)], title=f"Ugeskema {week.code}")


def weeks_pdf(weeks: list[Week], *, title: str, skip_empty: bool = False) -> bytes:
    """One sheet per week; `skip_empty` leaves out weeks with nothing in them (no appointment, no internship)."""
    if skip_empty:
        weeks = [week for week in weeks if not week.empty]
    return _document((_page(week, name=citizen_name_for_print(week)) for week in weeks), title=title)


def citizen_week_pdf(*, citizen: Citizen, week_start: date, link: str = "") -> bytes:
    """`link`: the citizen's own page, printed with a QR code (known only where the secret link is)."""
    return week_pdf(citizen_week(citizen=citizen, week_start=week_start), link=link)


def site_week_pdf(*, site: Site, week_start: date, skip_empty: bool = False) -> bytes:
    """The batch: one page per citizen of the site, ordered by last name, first name, reference; with
    `skip_empty` only citizens who have something that week."""
    weeks = site_citizen_weeks(site=site, week_start=week_start)
    return weeks_pdf(weeks, title=f"Ugeskemaer {site.name} {iso_week_label(week_start)}", skip_empty=skip_empty)


def consultant_week_pdf(*, consultant: Consultant, week_start: date) -> bytes:
    return week_pdf(consultant_week(consultant=consultant, week_start=week_start))
