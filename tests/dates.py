"""Weeks for tests, relative to today so the suite never ages out of the windows the product enforces.

The planning window (scheduler.weeks), the calendar feeds' window (four weeks back) and token expiry
all move with today. A test that plans, publishes or reads a fixed week passes today and fails a few
weeks later; tests take their week from here instead. `quiet_monday` skips weeks with a Danish holiday
(or a customary day off) on a weekday, so a test's week always has five working days.
"""
from datetime import date, timedelta

from rooms.calendar import holiday_name
from scheduler.weeks import current_monday, iso_week_label


def quiet_monday(weeks_ahead: int = 1, *, today: date | None = None) -> date:
    """The first Monday at least `weeks_ahead` weeks after this week's whose Monday-Friday has no holiday."""
    monday = current_monday(today) + timedelta(weeks=weeks_ahead)
    while any(holiday_name(monday + timedelta(days=d)) for d in range(5)):
        monday += timedelta(weeks=1)
    return monday


WEEK = quiet_monday()
WEEK_CODE = iso_week_label(WEEK)
