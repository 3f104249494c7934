"""A logging filter that hides secret link tokens in request paths.

Kept free of model imports: logging is configured before Django's apps are loaded.
"""
import logging
import re

_TOKEN_IN_PATH = re.compile(r"/(kalender|borger|ugeskema)/[A-Za-z0-9_-]{20,}")


def redact(text: str) -> str:
    return _TOKEN_IN_PATH.sub(r"/\1/[skjult]", text)


class RedactTokenFilter(logging.Filter):
    """Runserver's access log and Django's 404 warnings would otherwise write working feed links."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a log filter must never break logging
            return True
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True
