"""Resource usage of a set of chosen candidates; used by greedy (first fit) and to explain
why a task with candidates stayed unplaced."""

from __future__ import annotations

from solver.breaks import Breaks, LunchDay, breaks_of
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
        self.br: Breaks | None = breaks_of(cs)
        # Break rules: chosen spans blocking each lunch position; slots covered per consultant/citizen.
        self.lunch_taken: dict[tuple[int, int], dict[int, int]] = {}
        self.cover: dict[tuple[str, int], list[int]] = {}
        if self.br is not None and self.br.run_slots is not None and not cs.index.travel_on:
            for c in p.consultants:
                for bk in c.bookings:
                    if (c.id, p.day_of(bk.start)) not in self.br.run_exempt:
                        self._cover("consultant", c.id, bk.start, bk.end, 1)

    def _cover(self, kind: str, key: int, a: int, b: int, delta: int) -> None:
        counts = self.cover.setdefault((kind, key), [0] * self.cs.problem.num_slots)
        for t in range(a, b):
            counts[t] += delta

    def _too_long(self, kind: str, key: int, a: int, b: int, limit: int) -> bool:
        """Whether a span [a, b) would leave a window of limit + 1 slots (within its day) without a
        slot that no span covers."""
        counts = self.cover.get((kind, key))
        spd = self.cs.problem.slots_per_day
        day0 = a // spd * spd
        width = limit + 1
        for u in range(max(day0, a - width + 1), min(b - 1, day0 + spd - width) + 1):
            if not any((counts is None or not counts[t]) and not a <= t < b for t in range(u, u + width)):
                return True
        return False

    def _run_too_long(self, cand: Candidate, k: int) -> bool:
        """Whether the k-th consultant of `cand` would get a run longer than the limit that day."""
        br = self.br
        assert br is not None and br.run_slots is not None
        kid, a, b = br.cores(cand)[k]
        if not self.cs.index.travel_on:
            return self._too_long("consultant", kid, a, b, br.run_slots)
        p = self.cs.problem
        day = p.day_of(cand.start)
        booked = [(bk.start, bk.end, bk.location_id) for bk in self.cs.index.bookings_on.get((kid, day), ())]
        seq = sorted([*self.stops.get((kid, day), []), *booked, (a, b, cand.places[k])], key=lambda x: (x[0], x[1]))
        run_start, run_end, prev = 0, 0, None
        for s0, s1, loc in seq:
            if prev is not None and s0 - prev[1] - self.cs.index.trip(prev[2], loc) < 1:
                run_end = max(run_end, s1)
            else:
                run_start, run_end = s0, s1
            if run_end - run_start > br.run_slots:
                return True
            prev = (s0, s1, loc)
        return False

    def _lunch_lost(self, kid: int, day: int, ld: LunchDay, a: int, b: int) -> bool:
        assert self.br is not None
        if not ld.positions:  # padded bookings touch every lunch start: nothing more that day
            return True
        blocked = self.br.blocked(ld, a, b)
        if not blocked:
            return False
        taken = self.lunch_taken.get((kid, day), {})
        return not any(p not in blocked and not taken.get(p) for p in ld.positions)

    def _break_blockers(self, cand: Candidate) -> list[tuple[str, int]]:
        br = self.br
        assert br is not None
        p = self.cs.problem
        day = p.day_of(cand.start)
        out: list[tuple[str, int]] = []
        for k, (kid, a, b) in enumerate(br.spans(cand)):
            ld = br.lunch.get((kid, day))
            if ld is not None and self._lunch_lost(kid, day, ld, a, b):
                out.append(("lunch", kid))
            elif br.run_slots is not None and (kid, day) not in br.run_exempt and self._run_too_long(cand, k):
                out.append(("run", kid))
        end = cand.start + p.tasks[cand.task_index].duration_slots
        for zid in p.tasks[cand.task_index].citizen_ids:
            limit = br.citizen_runs.get(zid)
            if limit is not None and self._too_long("citizen", zid, cand.start, end, limit):
                out.append(("citizen_run", zid))
        return out

    def _add_breaks(self, cand: Candidate, delta: int) -> None:
        br = self.br
        assert br is not None
        p = self.cs.problem
        day = p.day_of(cand.start)
        for kid, a, b in br.spans(cand):
            ld = br.lunch.get((kid, day))
            if ld is not None:
                taken = self.lunch_taken.setdefault((kid, day), {})
                for pos in br.blocked(ld, a, b):
                    taken[pos] = taken.get(pos, 0) + delta
        if br.run_slots is not None and not self.cs.index.travel_on:
            for kid, a, b in br.cores(cand):
                if (kid, day) not in br.run_exempt:
                    self._cover("consultant", kid, a, b, delta)
        task = p.tasks[cand.task_index]
        for zid in task.citizen_ids:
            if zid in br.citizen_runs:
                self._cover("citizen", zid, cand.start, cand.start + task.duration_slots, delta)

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
        out += self._limit_blockers(cand)
        if first_only and out:
            return out[:1]
        if cand.room_class is not None:
            rc = self.cs.room_classes[cand.room_class]
            counts = self.room_count[cand.room_class]
            if any(counts[s] >= len(rc.room_ids) for s in range(cand.start, end)):
                out.append(("room", cand.room_class))
                if first_only:
                    return out
        if self.br is not None:
            out += self._break_blockers(cand)[: 1 if first_only else None]
        return out

    def _limit_blockers(self, cand: Candidate) -> list[tuple[str, int]]:
        """Citizens' daily maximum and consultants' contracted minutes."""
        p = self.cs.problem
        idx = self.cs.index
        task = p.tasks[cand.task_index]
        out: list[tuple[str, int]] = []
        day = p.day_of(cand.start)
        minutes = task.duration_slots * p.slot_minutes
        for zid in task.citizen_ids:
            cap = idx.citizens[zid].max_minutes_per_day
            if cap is not None and self.citizen_day_minutes.get((zid, day), 0) + minutes > cap:
                out.append(("citizen_day", zid))
        for kid, load in cand.load:
            if self.consultant_minutes[kid] + load > idx.consultants[kid].contracted_minutes_per_week:
                out.append(("contract", kid))
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
        if self.br is not None:
            self._add_breaks(cand, 1)

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
        if self.br is not None:
            self._add_breaks(cand, -1)
