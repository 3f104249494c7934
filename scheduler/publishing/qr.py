"""QR codes for secret links: an SVG for the screen and a drawing for the PDF ugeskema.

reportlab (already used for the PDFs) encodes the code; the SVG is written here as one path with
presentation attributes only, so it passes the Content-Security-Policy (no style attributes).
"""
from reportlab.graphics.barcode import qrencoder
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing

QUIET = 4  # modules of white border the standard asks for


def _matrix(text: str) -> list[list[bool]]:
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(text)
    code.make()
    n = code.getModuleCount()
    return [[code.isDark(row, col) for col in range(n)] for row in range(n)]


def qr_svg(text: str, *, label: str, size_px: int = 180) -> str:
    """An inline SVG of the QR code for `text`; `label` is read by screen readers."""
    matrix = _matrix(text)
    n = len(matrix) + 2 * QUIET
    path = "".join(f"M{col + QUIET} {row + QUIET}h1v1h-1z"
                   for row, line in enumerate(matrix) for col, dark in enumerate(line) if dark)
    safe_label = label.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
    return (f'<svg class="qr" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {n} {n}" width="{size_px}" '
            f'height="{size_px}" role="img" aria-label="{safe_label}" shape-rendering="crispEdges">'
            f'<rect width="{n}" height="{n}" fill="#fff"/><path d="{path}" fill="#000"/></svg>')


def qr_drawing(text: str, *, size: float) -> Drawing:
    """The QR code as a reportlab drawing of `size` points square (for the PDF ugeskema)."""
    widget = QrCodeWidget(text, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    return drawing
