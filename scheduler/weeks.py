"""ISO weeks ("2026-W49") as the product's unit of planning."""
from datetime import date, timedelta


def parse_iso_week(text: str) -> date:
    """The Monday of an ISO week written as YYYY-Www; ValueError with a Danish message otherwise."""
    try:
        year_text, week_text = text.strip().upper().split("-W")
        monday = date.fromisocalendar(int(year_text), int(week_text), 1)
    except ValueError as error:
        raise ValueError(f"Ugyldig uge '{text}': skriv den som ÅÅÅÅ-Wuu, fx 2026-W49.") from error
    return monday


def iso_week_label(monday: date) -> str:
    iso = monday.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def week_title(monday: date) -> str:
    """Danish heading, e.g. "Uge 49 · 30.11.–04.12.2026"."""
    friday = monday + timedelta(days=4)
    return f"Uge {monday.isocalendar().week} · {monday:%d.%m.}–{friday:%d.%m.%Y}"
