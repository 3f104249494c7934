"""Why a citizen has no place on a course of the theme their phase asks for: every course of the theme is
full ("holdet er fuldt (12 af 12)"), or one has seats but its times do not fit the citizen, or none runs
this week. The next course of the theme with a free seat is named with its start date, so the
coordinator knows where to send the citizen."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Count, Q

from activities.models import GroupCourse, Theme
from scheduler.causes import cause_json, ref_json
from solver.problem import DANISH_DAYS


def _with_members(qs, week_start: date):  # noqa: ANN001, ANN202 - a GroupCourse queryset
    friday = week_start + timedelta(days=4)
    active = (Q(coursemembership__left__isnull=True) | Q(coursemembership__left__gte=week_start)) & Q(
        coursemembership__joined__lte=friday
    )
    return qs.annotate(taken=Count("coursemembership", filter=active, distinct=True))


def _sessions(course: GroupCourse) -> str:
    parts = []
    for s in course.sessions.all():
        end_minute = s.start_time.hour * 60 + s.start_time.minute + s.duration_minutes
        parts.append(f"{DANISH_DAYS[s.weekday]} {s.start_time:%H:%M}–{end_minute // 60:02d}:{end_minute % 60:02d}")
    return ", ".join(parts)


def _clash(course: GroupCourse, citizen, hours_at_work: list) -> str:  # noqa: ANN001
    """What of the citizen's own week the course's sessions run into (the first one found)."""
    lo = citizen.not_before.hour * 60 + citizen.not_before.minute if citizen.not_before else 0
    hi = citizen.not_after.hour * 60 + citizen.not_after.minute if citizen.not_after else 24 * 60
    for s in course.sessions.all():
        start = s.start_time.hour * 60 + s.start_time.minute
        end = start + s.duration_minutes
        when = f"{DANISH_DAYS[s.weekday]} {s.start_time:%H:%M}"
        if any(w.day == s.weekday and w.start < end and start < w.end for w in hours_at_work):
            return f"holdgangen {when} ligger i borgerens praktiktid"
        for u in citizen.unavailability.all():
            u0, u1 = u.start_time.hour * 60 + u.start_time.minute, u.end_time.hour * 60 + u.end_time.minute
            if u.weekday == s.weekday and u0 < end and start < u1:
                return f"holdgangen {when} ligger i borgerens faste fravær"
        if start < lo or end > hi:
            return f"holdgangen {when} ligger uden for borgerens aftalte mødetider"
        if citizen.max_hours_per_day is not None and s.duration_minutes > citizen.max_hours_per_day * 60:
            return f"holdgangen {when} er længere end borgerens højeste antal timer pr. dag"
    return "holdgangene falder sammen med borgerens andet hold"


def _courses_of_theme(theme: str, site, week_start: date) -> tuple[list[GroupCourse], GroupCourse | None]:  # noqa: ANN001
    """(the theme's courses at the site running this week, the next later one with a free seat)."""
    friday = week_start + timedelta(days=4)
    of_theme = GroupCourse.objects.filter(theme=theme, site=site).prefetch_related("sessions").order_by(
        "start_date", "id"
    )
    running = [c for c in _with_members(of_theme.filter(start_date__lte=friday, end_date__gte=week_start), week_start)
               if c.sessions.all()]
    later = _with_members(of_theme.filter(start_date__gt=friday), week_start)
    return running, next((c for c in later if c.taken < c.max_participants), None)


def no_course_reason(
    *, theme: str, site, citizen, week_start: date, hours_at_work: list,  # noqa: ANN001
    courses: dict[tuple, tuple[list[GroupCourse], GroupCourse | None]] | None = None,
) -> tuple[str, dict[str, object]]:
    """Danish reason and structured cause (docs/plan-format.md) for a citizen without a course place.

    `courses`: a dict the caller keeps for one week's reasons, so the courses of a theme and site are read
    once for all citizens without a place, not once each."""
    courses = {} if courses is None else courses
    key = (theme, site.pk, week_start)
    if key not in courses:
        courses[key] = _courses_of_theme(theme, site, week_start)
    running, nxt = courses[key]
    params: dict[str, object] = {"theme": theme}
    if nxt is not None:
        params |= {"next_course_id": nxt.id, "next_course_name": nxt.name}
        params["next_course_start"] = nxt.start_date.isoformat()
        tail = f"; næste hold med ledig plads er »{nxt.name}« med start {nxt.start_date:%d.%m.%Y}"
    else:
        tail = "; intet senere hold med temaet har ledig plads"
    label = Theme(theme).label.lower()
    person = ref_json("citizen", citizen.id, citizen.full_name)
    free = [c for c in running if c.taken < c.max_participants]
    if running and not free:
        course = running[0]
        full = ", ".join(f"»{c.name}« {c.taken} af {c.max_participants}" for c in running)
        if len(running) == 1:
            text = f"Holdet »{course.name}« er fuldt ({course.taken} af {course.max_participants})"
        else:
            text = f"Alle hold med tema {label} i {site.name} er fulde ({full})"
        params |= {"taken": course.taken, "max_participants": course.max_participants}
        return text + tail, cause_json(
            "course_full", person=person, obj=ref_json("course", course.id, course.name), params=params
        )
    if free:
        course = free[0]
        params |= {"taken": course.taken, "max_participants": course.max_participants}
        text = (
            f"Holdet »{course.name}« ({_sessions(course)}) har ledige pladser ({course.taken} af "
            f"{course.max_participants}), men tiderne passer ikke: {_clash(course, citizen, hours_at_work)}"
        )
        return text + tail, cause_json(
            "course_times", person=person, obj=ref_json("course", course.id, course.name), params=params
        )
    params["no_course"] = True
    text = f"Intet hold med tema {label} kører i {site.name} denne uge"
    return text + tail, cause_json("other", person=person, params=params)
