"""The QR code drawn for a secret link is the encoder's matrix, with its three finder patterns."""
import re

from reportlab.graphics.barcode import qrencoder

from scheduler.publishing.qr import QUIET, qr_svg


def _modules(svg: str) -> set[tuple[int, int]]:
    return {(int(x) - QUIET, int(y) - QUIET) for x, y in re.findall(r"M(\d+) (\d+)h1v1h-1z", svg)}


def test_the_svg_draws_exactly_the_encoders_dark_modules() -> None:
    text = "https://ugeskema.example/borger/Abc123_-xyz/"
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(text)
    code.make()
    n = code.getModuleCount()
    expected = {(c, r) for r in range(n) for c in range(n) if code.isDark(r, c)}
    svg = qr_svg(text, label='Anne "A" <Alfasen>')
    assert _modules(svg) == expected
    # Finder patterns: a dark 7×7 ring in three corners.
    for x0, y0 in [(0, 0), (n - 7, 0), (0, n - 7)]:
        ring = {(x0 + i, y0) for i in range(7)} | {(x0, y0 + i) for i in range(7)}
        assert ring <= expected
    assert f'viewBox="0 0 {n + 2 * QUIET} {n + 2 * QUIET}"' in svg
    assert 'aria-label="QR' not in svg and "&quot;A&quot; &lt;Alfasen>" in svg  # the label is escaped
    assert "style=" not in svg  # passes the Content-Security-Policy
