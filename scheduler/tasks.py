"""django-q2 entry points. Each takes plain ids only and is safe to deliver twice."""
from scheduler.planning.runs import solve_part_execute, solve_run_execute, solve_runs_sweep


def solve_run_task(run_id: int) -> str:
    return solve_run_execute(run_id=run_id)


def solve_part_task(part_id: int) -> str:
    return solve_part_execute(part_id=part_id)


def solve_runs_sweep_task() -> int:
    return solve_runs_sweep()



def feed_prewarm_task(plan_id: int) -> int:
    from scheduler.publishing.feed_cache import feed_prewarm, plan_feed_token_hashes

    return feed_prewarm(plan_feed_token_hashes(plan_id))


def change_notices_task(plan_id: int) -> int:
    from scheduler.publishing.notifications import plan_change_notices_send

    return plan_change_notices_send(plan_id=plan_id)
