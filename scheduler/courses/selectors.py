"""Proposals for new holdforløb as the screens and the API ask for them: after the week's own course
places (the planner's `course_places_assign`, written in a savepoint that is rolled back), so only who is
still without a place waits. Nothing is written.

Planning's pointer on an unplaced course session ("Foreslået nyt hold: …", `course_notes_explain`) reads
the same facts and solves with the same `proposal_solve()`, so both name the same course."""
from datetime import date

from scheduler.courses.proposals import DEFAULT_WEEKS, ProposalGroup, course_proposals, proposal_solve
from scheduler.planning.proposals import proposals_applied
from scheduler.planning.services import course_places_assign


def course_proposals_for_week(
    *, site_ids: list[int], week_start: date, weeks: int = DEFAULT_WEEKS, time_limit: float | None = None,
    num_workers: int | None = None, random_seed: int = 0, min_participants: int | None = None,
) -> list[ProposalGroup]:
    """The proposals with the shared deterministic solve; `time_limit` (benchmarks, tests) switches to a
    wall-clock limit on `num_workers` workers instead (scheduler.courses.proposals.proposal_solve)."""
    solve = proposal_solve(time_limit=time_limit, num_workers=num_workers, random_seed=random_seed)
    with proposals_applied():
        course_places_assign(site_ids=site_ids, week_start=week_start)
        return course_proposals(site_ids=site_ids, week_start=week_start, weeks=weeks, solve=solve,
                                min_participants=min_participants)
