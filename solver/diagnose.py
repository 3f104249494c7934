"""Explain truly infeasible demand: which tasks cannot all be placed together, and why.

The planning model never fails (unplaced is allowed with a penalty); this separate
feasibility model makes every task with candidates mandatory under an assumption literal and
asks CP-SAT for a set of assumptions that is already infeasible. CP-SAT supports assumptions
only without an objective and with a single worker, hence a model of its own.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ortools.sat.python import cp_model

from solver.candidates import CandidateSet, build
from solver.model import add_hard_constraints, candidate_name
from solver.problem import Problem


@dataclass(frozen=True, slots=True)
class Diagnosis:
    feasible: bool | None  # True: every task with candidates fits at once; None: unknown in time
    clashing_task_ids: tuple[str, ...]  # a (small) set of tasks that cannot all be placed
    impossible_task_ids: tuple[str, ...]  # tasks without any candidate (see their reasons)
    report: str  # Danish summary for the coordinator


def _check(cs: CandidateSet, required: list[int], max_time: float) -> tuple[int, list[int]]:
    model = cp_model.CpModel()
    x = [model.new_bool_var(candidate_name(cs, c)) for c in cs.candidates]
    add_hard_constraints(model, cs, x)
    lits: dict[int, int] = {}  # proto index of the assumption literal -> task index
    assumptions = []
    for ti in required:
        task_id = cs.problem.tasks[ti].id
        a = model.new_bool_var(f"{task_id} is placed")
        model.add_exactly_one(x[i] for i in cs.by_task[ti]).only_enforce_if(a).with_name(f"place {task_id}")
        lits[a.index] = ti
        assumptions.append(a)
    for ti, cands in enumerate(cs.by_task):
        if ti not in required and len(cands) > 1:
            model.add_at_most_one(x[i] for i in cands).with_name(f"at most one placement of {cs.problem.tasks[ti].id}")
    model.add_assumptions(assumptions)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1  # assumptions need a single worker
    solver.parameters.max_time_in_seconds = max_time
    status = solver.solve(model)
    core = [lits[i] for i in solver.sufficient_assumptions_for_infeasibility()] if status == cp_model.INFEASIBLE else []
    return status, core


def diagnose(problem: Problem, max_time_seconds: float = 10.0, minimise_up_to: int = 12) -> Diagnosis:
    problem.validate()
    cs = build(problem)
    impossible = tuple(t.id for t in problem.tasks if t.id in cs.reasons)
    required = [ti for ti, cands in enumerate(cs.by_task) if cands]
    status, core = _check(cs, required, max_time_seconds)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        text = "Alle opgaver med mulige tider kan placeres samtidig."
        if impossible:
            text += f" {len(impossible)} opgave(r) har ingen mulig tid; se begrundelserne."
        return Diagnosis(True, (), impossible, text)
    if status != cp_model.INFEASIBLE:
        return Diagnosis(None, (), impossible, "Analysen nåede ikke at blive færdig inden for tidsgrænsen.")
    if len(core) <= minimise_up_to:
        # Deletion filter: drop each task in turn; keep it out if the rest still clash.
        for ti in list(core):
            rest = [t for t in core if t != ti]
            if rest and _check(cs, rest, max_time_seconds)[0] == cp_model.INFEASIBLE:
                core = rest
    core.sort()
    ids = tuple(problem.tasks[ti].id for ti in core)
    return Diagnosis(False, ids, impossible, _report(cs, core))


def _report(cs: CandidateSet, core: list[int]) -> str:
    problem, idx = cs.problem, cs.index
    consultants: Counter[int] = Counter()
    citizens: Counter[int] = Counter()
    for ti in core:
        task = problem.tasks[ti]
        citizens.update(task.citizen_ids)
        consultants.update({k for ci in cs.by_task[ti] for k in cs.candidates[ci].consultant_ids})
    shared = [idx.consultants[k].name for k, n in sorted(consultants.items()) if n > 1]
    shared += [f"borger {idx.citizens[z].label}" for z, n in sorted(citizens.items()) if n > 1]
    names = ", ".join(
        f"{problem.tasks[ti].id} ({problem.tasks[ti].reason_rule or problem.tasks[ti].kind})" for ti in core
    )
    text = f"Disse {len(core)} opgaver kan ikke alle placeres i ugen: {names}."
    if shared:
        text += f" De konkurrerer om den samme ledige tid hos: {', '.join(shared)}."
    text += " Flyt en frist, tilføj tid hos en kollega eller udskyd en af opgaverne."
    return text
