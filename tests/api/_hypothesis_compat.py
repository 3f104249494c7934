"""hypothesis-jsonschema 0.23 (used by schemathesis 3) drives Hypothesis' internal `many` helper through
`more()`, which newer Hypothesis releases replaced by a context-manager protocol. This restores the old
two methods for callers that use the old protocol only; the new protocol is untouched. Test-only."""
from hypothesis.internal.conjecture import utils as cu


def install() -> None:
    many = cu.many
    if hasattr(many, "more"):
        return
    new_reject = many.reject

    def more(self: cu.many) -> bool:
        if self.min_size == self.max_size:
            go_on = self.count < self.min_size
        else:
            forced = None
            if self.force_stop or self.count >= self.max_size:
                forced = False
            elif self.count < self.min_size:
                forced = True
            go_on = self.data.draw_boolean(self.p_continue, forced=forced)
        if go_on:
            self.count += 1
        return go_on

    def reject(self: cu.many, why: str | None = None) -> None:
        if self._depth is not None:  # new protocol
            new_reject(self, why)
            return
        self.count -= 1
        self.rejections += 1
        if self.rejections > max(3, 2 * self.count):
            if self.count < self.min_size:
                self.data.mark_invalid(why)
            else:
                self.force_stop = True

    many.more = more
    many.reject = reject
