"""`tel`: phone numbers in a text ("Karen Holm (tlf. 20 30 40 50)") become tap-to-call links."""
import re

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_NUMBER = re.compile(r"(\+?\d[\d ]{6,}\d)")


def _href(number: str) -> str:
    digits = number.replace(" ", "")
    return digits if digits.startswith("+") else f"+45{digits}" if len(digits) == 8 else digits


@register.filter
def tel(text: str) -> SafeString:
    parts = _NUMBER.split(str(text or ""))
    out = []
    for index, part in enumerate(parts):
        if index % 2:  # a number
            out.append(format_html('<a href="tel:{}">{}</a>', _href(part), part))
        else:
            out.append(escape(part))
    # Every part is escaped above or built by format_html.
    return mark_safe("".join(out))
