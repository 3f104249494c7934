"""Which days a site is open: weekdays, minus Danish holidays, minus the site's closed days."""
from datetime import date, timedelta
from functools import lru_cache

import holidays
from django.conf import settings


@lru_cache(maxsize=64)
def danish_holidays(year: int, include_customary: bool) -> dict[date, str]:
    # The library maintains the movable feasts (Easter, Ascension, Whitsun). Its "optional" category
    # holds the customary days off that are not public holidays by law: Christmas Eve, New Year's
    # Eve, Constitution Day and 1 May. Centres close then, so they count unless a deployment says not.
    categories = ("public", "optional") if include_customary else ("public",)
    return dict(holidays.country_holidays("DK", years=year, language="da", categories=categories))


def holiday_name(day: date) -> str | None:
    return danish_holidays(day.year, settings.CLOSED_ON_CUSTOMARY_HOLIDAYS).get(day)


def week_days(monday: date) -> list[date]:
    return [monday + timedelta(days=offset) for offset in range(5)]
