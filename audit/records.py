"""Appending one audit row. Knows nothing of the domain: callers pass the citizens' ids and a reference
("Borger 12", "Plan 7"), never a name; the request path is stored with secret links redacted."""
from collections.abc import Iterable

from django.http import HttpRequest

from audit.models import AuditEvent
from config.client_address import client_ip
from config.log_redaction import redact


def actor_label(actor: object | None) -> tuple[int | None, str]:
    if actor is None:
        return None, "system"
    if isinstance(actor, str):
        return None, actor[:160]
    if getattr(actor, "is_authenticated", False):
        return actor.pk, actor.get_username()[:160]
    return None, "anonymous"


def _citizen_ids_text(citizen_ids: Iterable[int]) -> str:
    ids = sorted({int(pk) for pk in citizen_ids if pk is not None})
    return f",{','.join(str(pk) for pk in ids)}," if ids else ""


def audit_record(
    *,
    actor: object | None,
    action: str,
    citizen_ids: Iterable[int],
    object_repr: str,
    request: HttpRequest | None = None,
) -> AuditEvent | None:
    """Append one audit row; nothing when no citizen is involved (no citizen data was shown).

    `actor` is a user, a string for non-user actors ("borgerlink", "konsulentlink") or None (system).
    """
    ids_text = _citizen_ids_text(citizen_ids)
    if not ids_text:
        return None
    user_id, label = actor_label(actor)
    return AuditEvent.objects.create(
        actor_user_id=user_id,
        actor=label,
        action=action,
        citizen_ids=ids_text,
        object_repr=object_repr[:200],
        path=redact(request.path)[:300] if request is not None else "",
        method=(request.method or "")[:10] if request is not None else "",
        ip=client_ip(request),
    )
