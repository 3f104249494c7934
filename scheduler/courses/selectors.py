"""Proposals for new holdforløb as the screens and the API ask for them: after the week's own course
places (the planner's `course_places_assign`, written in a savepoint that is rolled back), so only who is
still without a place waits. Nothing is written."""
from datetime import date

from scheduler.courses.proposals import DEFAULT_WEEKS, ProposalGroup, course_proposals
from scheduler.planning.proposals import proposals_applied
from scheduler.planning.services import course_places_assign


def course_proposals_for_week(
    *, site_ids: list[int], week_start: date, weeks: int = DEFAULT_WEEKS, time_limit: float | None = None,
    num_workers: int | None = None, random_seed: int = 0,
) -> list[ProposalGroup]:
    with proposals_applied():
        course_places_assign(site_ids=site_ids, week_start=week_start)
        return course_proposals(site_ids=site_ids, week_start=week_start, weeks=weeks, time_limit=time_limit,
                                num_workers=num_workers, random_seed=random_seed)
