"""From an unplaced task's cause to the screen that fixes it, editable for the coordinator's own sites
with the model's own validation."""
from datetime import time, timedelta

from activities.models import CourseSession, GroupCourse, StaffType
from rooms.models import ClosedDay
from scheduler.models import WorkingHours
from scheduler.weeks import iso_week_label
from tests.publishing.factories import make_consultant


def _week(w) -> str:
    return f"/uge/alfa/{iso_week_label(w.week)}/"


def _cause(w, code: str, **extra: object) -> None:
    w.unplaced_a.cause = {"code": code, "person": None, "at": None, "object": None, "params": {}, **extra}
    w.unplaced_a.save()


def test_each_cause_links_to_the_screen_that_fixes_it(world) -> None:
    expectations = {
        "site_closed": ("/data/lukkedage/", "Se centrets lukkedage"),
        "room_full": ("/data/lokaler/", "Se centrets lokaler"),
        "citizen_internship": (f"/data/praktikker/?q={world.citizen_a.reference}", "Se borgerens praktik"),
    }
    for code, (href, label) in expectations.items():
        _cause(world, code)
        page = world.coordinator.get(_week(world)).content.decode()
        assert f'<a href="{href}" class="fix">{label}</a>' in page, code
    _cause(world, "consultant_hours", person={"kind": "consultant", "id": world.consultant_a.pk, "name": "Karen Alfa"})
    page = world.coordinator.get(_week(world)).content.decode()
    assert 'href="/data/arbejdstider/?q=Karen+Alfa" class="fix">Ret konsulentens arbejdstider' in page
    assert "Bestil en telefonsamtale i stedet" in page
    _cause(world, "course_full", object={"kind": "course", "id": 1, "name": "Mestring 1"},
           params={"next_course_name": "Mestring 2"})
    page = world.coordinator.get(_week(world)).content.decode()
    assert "Næste hold med plads: Mestring 2" in page and "/data/holdtider/?q=Mestring+1" in page
    assert "Anne+Alfasen" not in page and "q=Anne" not in page  # a citizen's name never goes in a URL


def test_a_task_without_a_known_cause_links_to_no_fix(world) -> None:
    page = world.coordinator.get(_week(world)).content.decode()
    assert 'class="fix"' not in page and "Ingen ledig tid A" in page


def test_a_coordinator_edits_working_hours_of_their_own_consultants_only(world) -> None:
    hours = WorkingHours.objects.create(consultant=world.consultant_a, weekday=1, start_time=time(8),
                                        end_time=time(12))
    other = WorkingHours.objects.create(consultant=make_consultant(world.site_b, "Bo Beta"), weekday=1)
    listing = world.coordinator.get("/data/arbejdstider/?q=Karen").content.decode()
    assert "Karen Alfa" in listing and "Bo Beta" not in listing
    assert world.coordinator.get(f"/data/arbejdstider/{other.pk}/").status_code == 404
    response = world.coordinator.post(f"/data/arbejdstider/{hours.pk}/", {
        "consultant": world.consultant_a.pk, "weekday": 1, "start_time": "08:00", "end_time": "15:30"})
    assert response.status_code == 302
    hours.refresh_from_db()
    assert hours.end_time == time(15, 30)
    # Another site's consultant is not offered.
    refused = world.coordinator.post(f"/data/arbejdstider/{hours.pk}/", {
        "consultant": other.consultant_id, "weekday": 1, "start_time": "08:00", "end_time": "15:30"})
    assert refused.status_code == 200 and "errorlist" in refused.content.decode()


def test_closed_days_and_course_times_are_checked_like_everywhere_else(world) -> None:
    response = world.coordinator.post("/data/lukkedage/ny/", {"site": "", "date": world.week.isoformat(),
                                                               "reason": "Personaledag"})
    assert response.status_code == 200 and not ClosedDay.objects.exists()  # "all sites" is not theirs
    world.coordinator.post("/data/lukkedage/ny/", {"site": world.site_a.pk, "date": world.week.isoformat(),
                                                   "reason": "Personaledag"})
    assert ClosedDay.objects.get().site == world.site_a
    course = GroupCourse.objects.create(name="Mestring A", site=world.site_a, theme="mestring",
                                        facilitator_staff_type=StaffType.objects.get(code="social"),
                                        start_date=world.week - timedelta(weeks=2),
                                        end_date=world.week + timedelta(weeks=6))
    session = CourseSession.objects.create(course=course, weekday=1, start_time=time(12, 30), duration_minutes=90)
    world.coordinator.post(f"/data/holdtider/{session.pk}/", {"course": course.pk, "weekday": 1,
                                                             "start_time": "10:00", "duration_minutes": 90})
    session.refresh_from_db()
    assert session.start_time == time(10)
    assert world.other_coordinator.get(f"/data/holdtider/{session.pk}/").status_code == 404


def test_the_employers_window_links_to_the_companys_times_editable_for_the_own_sites_only(world) -> None:
    from activities.models import EmployerAvailability
    from tests.publishing.factories import make_company, make_internship

    ours, theirs = make_company("Bageriet ApS"), make_company("Smedjen A/S")
    make_internship(world.citizen_a.enrolments.get(), ours, start=world.week, weekdays=[1])
    make_internship(world.citizen_b.enrolments.get(), theirs, start=world.week, weekdays=[1])
    window = EmployerAvailability.objects.create(company=ours, weekday=0, start_time=time(9), end_time=time(11))
    foreign = EmployerAvailability.objects.create(company=theirs, weekday=0, start_time=time(9), end_time=time(11))
    # The solver's cause names the company by id only; the link searches its name.
    _cause(world, "employer_window", object={"kind": "company", "id": ours.pk, "name": ""})
    page = world.coordinator.get(_week(world)).content.decode()
    assert '<a href="/data/arbejdsgivertider/?q=Bageriet+ApS" class="fix">Ret arbejdsgiverens tider</a>' in page
    assert f"/data/praktikker/?q={world.citizen_a.reference}" in page  # the citizen's internship as the alternative

    listing = world.coordinator.get("/data/arbejdsgivertider/").content.decode()
    assert "Bageriet ApS" in listing and "Smedjen A/S" not in listing
    assert world.coordinator.get(f"/data/arbejdsgivertider/{foreign.pk}/").status_code == 404
    assert world.other_coordinator.get(f"/data/arbejdsgivertider/{window.pk}/").status_code == 404
    response = world.coordinator.post(f"/data/arbejdsgivertider/{window.pk}/", {
        "company": ours.pk, "weekday": 2, "start_time": "08:00", "end_time": "14:00"})
    assert response.status_code == 302
    window.refresh_from_db()
    assert (window.weekday, window.start_time, window.end_time) == (2, time(8), time(14))
    # The model's own validation: the end after the start; another site's company is not offered.
    backwards = world.coordinator.post("/data/arbejdsgivertider/ny/", {
        "company": ours.pk, "weekday": 1, "start_time": "14:00", "end_time": "08:00"})
    assert backwards.status_code == 200 and "errorlist" in backwards.content.decode()
    refused = world.coordinator.post("/data/arbejdsgivertider/ny/", {
        "company": theirs.pk, "weekday": 1, "start_time": "08:00", "end_time": "12:00"})
    assert refused.status_code == 200 and "errorlist" in refused.content.decode()
    assert EmployerAvailability.objects.count() == 2


def test_when_nobody_of_the_staff_type_has_time_another_staff_type_is_offered(world) -> None:
    health = StaffType.objects.get(code="health")
    others = StaffType.objects.exclude(code="health").order_by("name")
    assert others.exists()
    _cause(world, "consultant_hours", params={"staff": ["health"]})
    page = world.coordinator.get(_week(world)).content.decode()
    start = page.index("Bestil den hos en anden faggruppe: ")
    offered = page[start:page.index("<", start)]
    assert all(o.name in offered for o in others) and health.name not in offered
    assert 'name="staff_types"' in page  # the request form on the page chooses the staff type
    # a course session keeps its facilitator's staff type: no such alternative
    world.unplaced_a.kind = "group_session"
    world.unplaced_a.save()
    assert "anden faggruppe" not in world.coordinator.get(_week(world)).content.decode()


def test_an_appointment_longer_than_the_longest_run_links_to_its_course_times_not_to_working_hours(world) -> None:
    run = {"params": {"max_run_minutes": 180, "minutes": 240}}
    _cause(world, "run", **run)
    page = world.coordinator.get(_week(world)).content.decode()
    assert 'class="fix"' not in page and "arbejdstider" not in page  # a talk: no screen of theirs shortens it
    world.unplaced_a.kind = "group_session"
    _cause(world, "run", object={"kind": "course", "id": 1, "name": "Trivselsdag A"}, **run)
    page = world.coordinator.get(_week(world)).content.decode()
    assert 'href="/data/holdtider/?q=Trivselsdag+A" class="fix">Ret holdets mødetider' in page
