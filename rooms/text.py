"""Names are data, not lines: the characters no name, address or note may hold, refused on the way in
and replaced on the way out.

A line break in a name once broke every calendar feed that showed it (iCalendar is a line format);
NUL cannot be stored in PostgreSQL; a lone UTF-16 surrogate cannot be encoded at all; bidi overrides
make text read differently from what it holds. The rule sits on the models (`PlainTextMixin`), so the
admin, the API, the import and the web forms all refuse such text with the same Danish message; output
(`one_line`) is made robust as well, so text stored before the rule cannot break a feed. Lives in
`rooms` because every other app imports it.
"""
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

# Regular-expression text (also used as-is in docs/import-schema.json): C0 controls, DEL and C1 controls,
# U+2028/U+2029 (line and paragraph separators), the bidi embeddings, overrides and isolates
# (U+202A-U+202E, U+2066-U+2069) and lone surrogates. Multi-line text (a TextField) may hold tab, LF, CR.
_ALWAYS = r"\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
LINE_FORBIDDEN = r"[\x00-\x1f" + _ALWAYS + "]"
TEXT_FORBIDDEN = r"[\x00-\x08\x0b\x0c\x0e-\x1f" + _ALWAYS + "]"
LINE_PATTERN = r"^[^\x00-\x1f" + _ALWAYS + "]*$"  # the JSON Schema form: no forbidden character
TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f" + _ALWAYS + "]*$"
_LINE = re.compile(LINE_FORBIDDEN)
_TEXT = re.compile(TEXT_FORBIDDEN)
_ANY_CONTROL = re.compile(r"\s*(?:" + LINE_FORBIDDEN + r"\s*)+")  # with the spaces around it

LINE_MESSAGE = _("Må ikke indeholde linjeskift eller andre styretegn.")
TEXT_MESSAGE = _("Må ikke indeholde styretegn.")


def text_problem(value: str, *, multiline: bool) -> Any:
    """The Danish message when `value` holds a character it may not, else None."""
    if multiline:
        return TEXT_MESSAGE if _TEXT.search(value) else None
    return LINE_MESSAGE if _LINE.search(value) else None


def one_line(value: Any) -> str:
    """Text for a single-line output (a calendar's name, an event's summary or location): every run of
    control, separator or bidi characters (with the spaces around it) becomes one space."""
    return _ANY_CONTROL.sub(" ", str(value)).strip()


class PlainTextMixin:
    """Refuses control characters in every CharField (and all but tab and line breaks in every TextField)
    of the model, through `full_clean()`, which the admin, ModelForms, the API and the import all call.
    A check on the model rather than a validator on each field: no field is forgotten, and no migration."""

    def clean_fields(self, exclude: Any = None) -> None:
        errors: dict[str, list[ValidationError]] = {}
        try:
            super().clean_fields(exclude=exclude)  # type: ignore[misc]
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for field in self._meta.concrete_fields:  # type: ignore[attr-defined]
            if (exclude and field.name in exclude) or field.name in errors:
                continue
            if isinstance(field, models.CharField | models.TextField):
                value = getattr(self, field.attname)
                problem = text_problem(value, multiline=isinstance(field, models.TextField)) \
                    if isinstance(value, str) else None
                if problem:
                    errors[field.name] = [ValidationError(problem, code="control_characters")]
        if errors:
            raise ValidationError(errors)
