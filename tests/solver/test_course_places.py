"""The course-places model on its own (solver.course_places, real CP-SAT)."""

from solver.course_places import PlaceCourse, PlaceRequest, PlacesRequest, assign_places


def solve(courses: list[PlaceCourse], requests: list[PlaceRequest], **extra: object) -> dict[int, int]:
    result = assign_places(PlacesRequest(courses=tuple(courses), requests=tuple(requests), **extra))
    assert result.status == "optimal"
    return result.chosen


def test_the_flexible_citizen_takes_the_other_course_so_both_are_seated() -> None:
    # A (waited longest) can attend 1 and 2, B only 1; one seat each.
    chosen = solve(
        [PlaceCourse(1, seats=1), PlaceCourse(2, seats=1)],
        [PlaceRequest(0, citizen_id=10, options=(1, 2), priority=90), PlaceRequest(1, citizen_id=11, options=(1,))],
    )
    assert chosen == {0: 2, 1: 1}


def test_capacity_is_never_passed_and_the_longest_waiting_get_the_seats() -> None:
    waited = [5, 40, 12, 30]
    requests = [PlaceRequest(i, citizen_id=100 + i, options=(1,), priority=days) for i, days in enumerate(waited)]
    chosen = solve([PlaceCourse(1, seats=2)], requests)
    assert sorted(chosen) == [1, 3]  # 40 and 30 days waited


def test_a_course_is_brought_up_to_its_minimum_rather_than_spread_thin() -> None:
    # Two citizens, both fit both courses; course 2 lacks two members to run, course 1 runs already.
    chosen = solve(
        [PlaceCourse(1, seats=5), PlaceCourse(2, seats=5, short=2)],
        [PlaceRequest(0, citizen_id=1, options=(1, 2)), PlaceRequest(1, citizen_id=2, options=(1, 2))],
    )
    assert chosen == {0: 2, 1: 2}


def test_a_course_on_a_day_the_citizen_comes_in_anyway_is_preferred() -> None:
    chosen = solve(
        [PlaceCourse(1, seats=5, days=(0,)), PlaceCourse(2, seats=5, days=(2,))],
        [PlaceRequest(0, citizen_id=1, options=(1, 2), days_in=(2,))],
    )
    assert chosen == {0: 2}


def test_two_themes_of_one_citizen_never_take_clashing_courses() -> None:
    chosen = solve(
        [PlaceCourse(1, seats=5), PlaceCourse(2, seats=5), PlaceCourse(3, seats=5)],
        [PlaceRequest(0, citizen_id=1, options=(1,)), PlaceRequest(1, citizen_id=1, options=(2, 3))],
        clashes=((1, 1, 2),),
    )
    assert chosen == {0: 1, 1: 3}

