"""A draft is a proposal: the contact consultants and course places chosen while planning it are written
only when it is published (or accepted). Real database, real solver."""

from datetime import time, timedelta

import pytest

from activities.models import CourseMembership, CourseSession, GroupCourse, StaffType
from scheduler.editing.services import plan_proposals_accept
from scheduler.models import Enrolment, Plan
from scheduler.planning.services import plan_create_draft
from scheduler.publishing.services import plan_publish
from tests.dates import WEEK
from tests.scheduler import planning_factories as f

pytestmark = pytest.mark.django_db

FAST = {"time_limit": 10, "num_workers": 1, "random_seed": 1}


def centre():
    s = f.site()
    k = f.consultant(s)
    phase = f.model_with_rules(
        f.talk_rule(28, with_contact_consultant=True),
        {"kind": "group_session", "duration_minutes": 60, "frequency_type": "per_week", "frequency_value": 1,
         "theme": "coping", "with_contact_consultant": False},
    )
    course = GroupCourse.objects.create(
        name="Mestring", theme="coping", site=s, facilitator_staff_type=StaffType.objects.get(code="social"),
        min_participants=1, max_participants=8, start_date=WEEK - timedelta(weeks=4),
        end_date=WEEK + timedelta(weeks=8),
    )
    CourseSession.objects.create(course=course, weekday=1, start_time=time(10), duration_minutes=60)
    e = f.citizen(s, phase, start=WEEK - timedelta(weeks=5))
    return s, k, course, e


def draft(s) -> Plan:
    return plan_create_draft(week_start=WEEK, site_ids=[s.id], **FAST)


def test_a_discarded_draft_leaves_contact_consultants_and_course_places_untouched() -> None:
    s, k, course, e = centre()

    plan = draft(s)

    # The draft was planned with its proposals: the talk with the proposed contact consultant, the
    # session with the proposed member ...
    talk = plan.appointments.get(kind="talk")
    assert list(talk.consultants.all()) == [k]
    session = plan.appointments.get(kind="group_session")
    assert list(session.citizens.all()) == [e.citizen]
    assert plan.solver_info["proposals"] == {
        "contact_consultants": [{"enrolment": e.pk, "consultant": k.pk}],
        "course_places": [{"course": course.pk, "citizen": e.citizen_id, "joined": WEEK.isoformat()}],
    }
    # ... but nothing is written for good, and re-planning proposes the same again.
    assert Enrolment.objects.get(pk=e.pk).contact_consultant_id is None
    assert not CourseMembership.objects.exists()
    again = draft(s)
    assert again.solver_info["proposals"] == plan.solver_info["proposals"]
    assert Enrolment.objects.get(pk=e.pk).contact_consultant_id is None

    again.delete()  # thrown away

    assert Enrolment.objects.get(pk=e.pk).contact_consultant_id is None
    assert not CourseMembership.objects.exists()


def test_publishing_or_accepting_a_draft_writes_its_proposals() -> None:
    s, k, course, e = centre()
    plan_publish(plan=draft(s))
    assert Enrolment.objects.get(pk=e.pk).contact_consultant_id == k.pk
    membership = CourseMembership.objects.get(course=course, citizen=e.citizen)
    assert (membership.joined, membership.left) == (WEEK, None)

    # The next draft has nothing left to propose.
    assert draft(s).solver_info["proposals"] == {"contact_consultants": [], "course_places": []}


def test_a_coordinator_can_accept_a_drafts_proposals_before_publishing() -> None:
    s, k, course, e = centre()
    plan = plan_proposals_accept(plan=draft(s))
    assert Enrolment.objects.get(pk=e.pk).contact_consultant_id == k.pk
    assert CourseMembership.objects.filter(course=course, citizen=e.citizen).exists()
    assert plan.solver_info["proposals_accepted_at"]
