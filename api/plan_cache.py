"""A week's plan read (GET /api/plans?week=…&site=…) answered from the shared cache.

Building the answer is most of a plan read's cost: six queries for the plan, its appointments, their
people and the unplaced tasks, then 176 appointments turned into ≈ 90 KB of JSON (≈ 15 of 25 ms). The
answer depends only on the data and on what the caller may see, so it is kept serialised per (week,
site, the caller's scope: the sites a coordinator plans, or "all" for an administrator, or the
consultant's own appointments) together with the data epoch read before the database was
(scheduler.data_epoch: any change of plans, appointments, unplaced tasks, citizens or sites ends it).

Authorisation is still checked on every request, before this is consulted: the bearer token or session,
the caller's role and sites (api.auth), and that the site asked for is one of theirs (resolve_site). The
scope is part of the key, so a coordinator never receives an answer built for other sites. Every answer,
cached or not, is audited the same way (the citizens it shows).
"""
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from ninja.renderers import NinjaJSONEncoder

from api.auth import Scope
from scheduler import data_epoch, single_flight
from scheduler.audit import AuditAction, audit_record

CONTENT_TYPE = "application/json; charset=utf-8"


@dataclass(frozen=True)
class PlanAnswer:
    epoch: str
    body: bytes
    plan_id: int
    citizen_ids: tuple[int, ...]


def json_response(body: bytes) -> HttpResponse:
    return HttpResponse(body, content_type=CONTENT_TYPE)


def serialise(data: dict[str, Any]) -> bytes:
    """JSON without a second validation pass: the rows are typed database values shaped like PlanOut (the
    schemathesis run checks that answers conform to the declared schema)."""
    return json.dumps(data, cls=NinjaJSONEncoder).encode()


def answer_citizen_ids(data: dict[str, Any]) -> tuple[int, ...]:
    ids: set[int] = set()
    for row in [*data.get("appointments", []), *data.get("unplaced", [])]:
        ids.update(row.get("citizens", []))
    return tuple(sorted(ids))


def _audit(request: HttpRequest, answer: PlanAnswer) -> None:
    user = getattr(request, "auth", None) or getattr(request, "user", None)
    audit_record(actor=user, action=AuditAction.VIEW, citizen_ids=answer.citizen_ids,
                 object_repr=f"Plan {answer.plan_id}", request=request)


def _key(week_start: date, site_id: int, scope: Scope, consultant_only: int | None) -> str:
    if consultant_only is not None:
        who = f"consultant-{consultant_only}"
    elif scope.site_ids is None:
        who = "all"
    else:
        who = "sites-" + ",".join(str(pk) for pk in sorted(scope.site_ids))
    return f"plan-read:{week_start.isoformat()}:{site_id}:{who}"


def week_plan_answer(request: HttpRequest, *, week_start: date, site_id: int, scope: Scope,
                     consultant_only: int | None, build: Callable[[], dict[str, Any]]) -> HttpResponse:
    """The audited JSON answer for the caller, who is already authorised for `site_id` under `scope`;
    `build` reads it from the database (and raises the API's 404 when there is no plan: never cached)."""
    if not data_epoch.enabled():
        return _answer(request, _built(build(), epoch=""))
    key = _key(week_start, site_id, scope, consultant_only)
    found = cache.get_many([data_epoch.EPOCH_KEY, key])
    epoch = found.get(data_epoch.EPOCH_KEY) or data_epoch.current_epoch()

    def fresh() -> PlanAnswer | None:
        answer = cache.get(key)
        return answer if isinstance(answer, PlanAnswer) and answer.epoch == epoch else None

    answer = found.get(key)
    if isinstance(answer, PlanAnswer) and answer.epoch == epoch:
        return _answer(request, answer)
    answer, builder = single_flight.await_turn(key, fresh)  # after a change, fifty readers build it once
    if answer is not None:
        return _answer(request, answer)
    try:
        answer = _built(build(), epoch=epoch)
        cache.set(key, answer, timeout=settings.RESPONSE_CACHE_SECONDS)
    finally:
        if builder:
            single_flight.release(key)
    return _answer(request, answer)


def _built(data: dict[str, Any], *, epoch: str) -> PlanAnswer:
    return PlanAnswer(epoch=epoch, body=serialise(data), plan_id=data["id"], citizen_ids=answer_citizen_ids(data))


def _answer(request: HttpRequest, answer: PlanAnswer) -> HttpResponse:
    _audit(request, answer)
    return json_response(answer.body)
