"""Resource usage of a set of chosen candidates; used by greedy (first fit) and to explain
why a task with candidates stayed unplaced."""

from __future__ import annotations

from solver.candidates import Candidate, CandidateSet
from solver.lookup import span_bits


class Occupancy:
    def __init__(self, cs: CandidateSet) -> None:
        self.cs = cs
        p = cs.problem
        self.consultant: dict[int, int] = {c.id: 0 for c in p.consultants}  # busy bitsets
        self.citizen: dict[int, int] = {z.id: 0 for z in p.citizens}
        self.room_count: list[list[int]] = [[0] * p.num_slots for _ in cs.room_classes]
        self.citizen_day_minutes: dict[tuple[int, int], int] = {}
        self.consultant_minutes: dict[int, int] = {c.id: 0 for c in p.consultants}
        # With travel in the day: (start, end, place) per (consultant, day), to keep the trips free.
        self.stops: dict[tuple[int, int], list[tuple[int, int, str | None]]] = {}

    def _travel_clash(self, kid: int, s0: int, s1: int, loc: str | None) -> bool:
        idx = self.cs.index
        for a, b, there in self.stops.get((kid, self.cs.problem.day_of(s0)), ()):
            if not (b + idx.trip(there, loc) <= s0 or s1 + idx.trip(loc, there) <= a):
                return True
        return False

    def blocker(self, cand: Candidate) -> tuple[str, int] | None:
        """First resource that prevents `cand`, as (kind, id); None when it fits."""
        found = self.blockers(cand, first_only=True)
        return found[0] if found else None

    def blockers(self, cand: Candidate, first_only: bool = False) -> list[tuple[str, int]]:
        """Resources that prevent `cand` (all of them, or only the first found)."""
        p = self.cs.problem
        task = p.tasks[cand.task_index]
        idx = self.cs.index
        out: list[tuple[str, int]] = []
        for k, (kid, s0, s1) in enumerate(cand.busy):
            if self.consultant[kid] & span_bits(s0, s1) or (
                idx.travel_on and self._travel_clash(kid, s0, s1, cand.places[k])
            ):
                out.append(("consultant", kid))
                if first_only:
                    return out
        end = cand.start + task.duration_slots
        bits = span_bits(cand.start, end)
        for zid in task.citizen_ids:
            if self.citizen[zid] & bits:
                out.append(("citizen", zid))
                if first_only:
                    return out
        day = p.day_of(cand.start)
        minutes = task.duration_slots * p.slot_minutes
        for zid in task.citizen_ids:
            cap = idx.citizens[zid].max_minutes_per_day
            if cap is not None and self.citizen_day_minutes.get((zid, day), 0) + minutes > cap:
                out.append(("citizen_day", zid))
                if first_only:
                    return out
        for kid, load in cand.load:
            if self.consultant_minutes[kid] + load > idx.consultants[kid].contracted_minutes_per_week:
                out.append(("contract", kid))
                if first_only:
                    return out
        if cand.room_class is not None:
            rc = self.cs.room_classes[cand.room_class]
            counts = self.room_count[cand.room_class]
            if any(counts[s] >= len(rc.room_ids) for s in range(cand.start, end)):
                out.append(("room", cand.room_class))
        return out

    def add(self, cand: Candidate) -> None:
        p = self.cs.problem
        task = p.tasks[cand.task_index]
        for k, (kid, s0, s1) in enumerate(cand.busy):
            self.consultant[kid] |= span_bits(s0, s1)
            if cand.places:
                self.stops.setdefault((kid, p.day_of(s0)), []).append((s0, s1, cand.places[k]))
        end = cand.start + task.duration_slots
        bits = span_bits(cand.start, end)
        day = p.day_of(cand.start)
        for zid in task.citizen_ids:
            self.citizen[zid] |= bits
            key = (zid, day)
            self.citizen_day_minutes[key] = self.citizen_day_minutes.get(key, 0) + task.duration_slots * p.slot_minutes
        for kid, load in cand.load:
            self.consultant_minutes[kid] += load
        if cand.room_class is not None:
            counts = self.room_count[cand.room_class]
            for s in range(cand.start, end):
                counts[s] += 1

    def remove(self, cand: Candidate) -> None:
        """Undo `add(cand)`; valid because a plan never books a slot twice."""
        p = self.cs.problem
        task = p.tasks[cand.task_index]
        for k, (kid, s0, s1) in enumerate(cand.busy):
            self.consultant[kid] &= ~span_bits(s0, s1)
            if cand.places:
                self.stops[(kid, p.day_of(s0))].remove((s0, s1, cand.places[k]))
        end = cand.start + task.duration_slots
        bits = span_bits(cand.start, end)
        day = p.day_of(cand.start)
        for zid in task.citizen_ids:
            self.citizen[zid] &= ~bits
            self.citizen_day_minutes[(zid, day)] -= task.duration_slots * p.slot_minutes
        for kid, load in cand.load:
            self.consultant_minutes[kid] -= load
        if cand.room_class is not None:
            counts = self.room_count[cand.room_class]
            for s in range(cand.start, end):
                counts[s] -= 1
