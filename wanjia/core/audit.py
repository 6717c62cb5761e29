"""The one way to write the audit log."""

from .models import AuditLog

_SECRET_KEYS = {"password", "token", "secret", "id_number", "health_notes", "key"}


def _redact(detail):
    if isinstance(detail, dict):
        return {
            k: ("***" if any(s in k.lower() for s in _SECRET_KEYS) else _redact(v))
            for k, v in detail.items()
        }
    if isinstance(detail, list):
        return [_redact(v) for v in detail]
    return detail


def audit(
    *,
    actor,
    action: str,
    obj=None,
    compound=None,
    company=None,
    detail: dict | None = None,
    ip: str | None = None,
) -> AuditLog:
    """Append one entry. ``action`` is a dotted code such as ``estates.resident.revealed``."""
    if compound is None and obj is not None:
        compound = obj if obj.__class__.__name__ == "Compound" else getattr(obj, "compound", None)
    company_id = company.pk if company is not None else getattr(compound, "company_id", None)
    return AuditLog.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=str(actor) if actor is not None else "system",
        action=action,
        compound=compound,
        company_id=company_id,
        object_type=obj.__class__.__name__.lower() if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        detail=_redact(detail or {}),
        ip=ip,
    )
