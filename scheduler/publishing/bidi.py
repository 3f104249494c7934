"""Right-to-left text for reportlab, which lays out left to right without shaping.

Two steps, per run of text (never per word or per name):

- **Arabic shaping**: each Arabic letter takes its isolated, initial, medial or final presentation form
  (Unicode's Arabic Presentation Forms-B, which the bundled DejaVu Sans has) by whether its neighbours join,
  and lam + alef become their ligature. The forms are found by Unicode character name in `unicodedata`, so
  no table is kept here.
- **Visual order**: bidirectional control marks (LRM, RLM, ALM, embeddings, isolates) have no glyph and are
  dropped; each maximal run of right-to-left characters (with the spaces and marks inside it) is reversed
  in place. A Danish name with one stray RLM therefore prints exactly as typed, and a mixed line keeps its
  left-to-right words where they are.

Why not a library: python-bidi and arabic-reshaper would do the same for names and addresses, but add two
dependencies for what is a simplified subset of UAX #9 (no nested embeddings, no mirrored brackets), which is
all a name, a room or an address line needs. tests/publishing/test_pdf_layout.py holds a 2-word Arabic name
to under 1 ms per call (a loose bound, not a measurement).
"""
import unicodedata
from functools import lru_cache

BIDI_CONTROLS = {"\u200e", "\u200f", "\u061c", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
                 "\u2066", "\u2067", "\u2068", "\u2069"}
_TATWEEL = "\u0640"


def is_rtl(ch: str) -> bool:
    return unicodedata.bidirectional(ch) in {"R", "AL"}


@lru_cache(maxsize=512)
def _forms(ch: str) -> dict[str, str]:
    """The presentation forms of an Arabic letter that Unicode has (isolated/final/initial/medial)."""
    try:
        name = unicodedata.name(ch)
    except ValueError:
        return {}
    if not name.startswith("ARABIC LETTER"):
        return {}
    found = {}
    for form in ("ISOLATED", "FINAL", "INITIAL", "MEDIAL"):
        try:
            found[form] = unicodedata.lookup(f"{name} {form} FORM")
        except KeyError:
            pass
    return found


def _joins_next(ch: str) -> bool:
    """Dual-joining letters (with an initial form) join the letter after them."""
    return "INITIAL" in _forms(ch) or ch == _TATWEEL


def _joins_prev(ch: str) -> bool:
    return "FINAL" in _forms(ch) or ch == _TATWEEL


_LAM = "\u0644"
_LAM_ALEF = {"\u0622": "MADDA ABOVE", "\u0623": "HAMZA ABOVE", "\u0625": "HAMZA BELOW", "\u0627": ""}


def _lam_alef(alef: str, joined_before: bool) -> str:
    suffix = _LAM_ALEF[alef]
    name = "ARABIC LIGATURE LAM WITH ALEF" + (f" WITH {suffix}" if suffix else "")
    return unicodedata.lookup(f"{name} {'FINAL' if joined_before else 'ISOLATED'} FORM")


def _transparent(ch: str) -> bool:
    return unicodedata.category(ch) == "Mn"  # harakat do not break joining


def shape_arabic(text: str) -> str:
    """Arabic letters in their contextual presentation forms (logical order kept)."""
    if not any("\u0600" <= ch <= "\u06ff" for ch in text):
        return text
    chars = list(text)
    out: list[str] = []
    i = 0
    while i < len(chars):
        ch = chars[i]
        forms = _forms(ch)
        if not forms:
            out.append(ch)
            i += 1
            continue
        prev = _neighbour(chars, i, -1)
        nxt = _neighbour(chars, i, 1)
        joined_before = prev is not None and _joins_next(prev) and _joins_prev(ch)
        if ch == _LAM and nxt in _LAM_ALEF and chars[i + 1] == nxt:
            out.append(_lam_alef(nxt, joined_before))
            i += 2
            continue
        joined_after = nxt is not None and _joins_next(ch) and _joins_prev(nxt)
        form = {(False, False): "ISOLATED", (True, False): "FINAL", (False, True): "INITIAL",
                (True, True): "MEDIAL"}[(joined_before, joined_after)]
        out.append(forms.get(form) or forms.get("ISOLATED") or ch)
        i += 1
    return "".join(out)


def _neighbour(chars: list[str], i: int, step: int) -> str | None:
    j = i + step
    while 0 <= j < len(chars) and _transparent(chars[j]):
        j += step
    return chars[j] if 0 <= j < len(chars) else None


def visual_order(text: str) -> str:
    """The text with bidi controls dropped and each right-to-left run reversed, for left-to-right layout."""
    text = "".join(ch for ch in text if ch not in BIDI_CONTROLS)
    if not any(is_rtl(ch) for ch in text):
        return text
    text = shape_arabic(text)
    out: list[str] = []
    run: list[str] = []
    pending: list[str] = []  # neutrals after an RTL run: inside the run only if more RTL follows
    for ch in text:
        bidi = unicodedata.bidirectional(ch)
        if bidi in {"R", "AL"} or (run and bidi == "NSM"):
            run += pending + [ch]
            pending = []
        elif run and bidi in {"WS", "ON", "CS", "ES", "ET", "BN"}:
            pending.append(ch)
        else:
            if run:
                out += reversed(run)
                run = []
            out += pending + [ch]
            pending = []
    out += reversed(run)
    out += pending
    return "".join(out)
