"""The one way to write the audit log, and the one way to read it.

Entries are append-only (the model and its manager refuse updates and deletes).
Details are redacted before they are stored: secrets and encrypted personal
fields become ``***``, phone numbers are masked, so the log itself never needs
the protection that the registry needs."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import AuditLog, Compound
from .pii import mask_phone
from .roles import CAPABILITIES
from .scoping import memberships_of, scope_q

_SECRET_KEYS = {"password", "token", "secret", "id_number", "health_notes", "key"}


def _redact(detail):
    if isinstance(detail, dict):
        return {k: _redact_item(str(k), v) for k, v in detail.items()}
    if isinstance(detail, list | tuple):
        return [_redact(v) for v in detail]
    return detail


def _redact_item(key: str, value):
    lowered = key.lower()
    if any(s in lowered for s in _SECRET_KEYS):
        return "***"
    if "phone" in lowered:
        return _mask_phones(value)
    return _redact(value)


def _mask_phones(value):
    """Every string under a phone key, masked (``{"from": ..., "to": ...}`` too)."""
    if isinstance(value, str):
        return mask_phone(value)
    if isinstance(value, dict):
        return {k: _mask_phones(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_mask_phones(v) for v in value]
    return value


def _json_safe(detail: dict) -> dict:
    """Dates, decimals and UUIDs as strings, so any service can pass its values."""
    return json.loads(json.dumps(detail, cls=DjangoJSONEncoder))


_ACTION_LABELS: dict[str, str] = {}


def describe_actions(labels: dict) -> None:
    """Register what audit action codes mean, as short translatable phrases
    ("下单", "查看完整手机号"), so the audit log reads as sentences: "张伟 · 下单".
    Each app registers its own codes from ``AppConfig.ready``."""
    _ACTION_LABELS.update(labels)


def action_label(code: str) -> str:
    """The phrase for ``code``; the code itself when no app described it."""
    return str(_ACTION_LABELS.get(code, code))


def described_actions() -> set[str]:
    return set(_ACTION_LABELS)


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
        detail=_json_safe(_redact(detail or {})),
        ip=ip,
    )


def insert_from(
    source: str, id_sql: str, *, actor, action: str, object_type: str, compound, detail: dict
) -> tuple[str, list]:
    """The entry :func:`audit` would append, as ``INSERT ... SELECT ... FROM
    source`` with the object's id the SQL expression ``id_sql``: for the one
    hot path (a guard's check-in) that writes its record, its claim and this
    entry in a single PostgreSQL statement (``WITH source AS (INSERT ...
    RETURNING id) ...``). Same columns, same redaction as :func:`audit`."""
    values = {
        "at": timezone.now(),
        "actor_id": actor.pk if getattr(actor, "pk", None) else None,
        "actor_name": str(actor) if actor is not None else "system",
        "action": action,
        "compound_id": getattr(compound, "pk", None),
        "company_id": getattr(compound, "company_id", None),
        "object_type": object_type,
        "detail": _json_safe(_redact(detail or {})),
    }
    fields = [AuditLog._meta.get_field(name) for name in values]
    params = [
        f.get_db_prep_save(v, connection) for f, v in zip(fields, values.values(), strict=True)
    ]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(params))
    statement = (
        f"INSERT INTO {AuditLog._meta.db_table} ({columns}, object_id)"  # noqa: S608 (names are ours)
        f" SELECT {marks}, CAST({id_sql} AS varchar) FROM {source}"
    )
    return statement, params


def _audit_scope(user) -> Q:
    """Company admins see their companies' entries; regulators their region's."""
    readers = CAPABILITIES["audit.view"]
    q = scope_q(user, roles=readers, compound="compound_id")
    companies = [m.company_id for m in memberships_of(user) if m.role in readers and m.company_id]
    if companies:
        # company-wide entries (no compound) belong to the company too
        q |= Q(company_id__in=companies)
    return q


def audit_visible_to(
    user,
    *,
    action_prefix: str = "",
    compound_id: int | None = None,
    actor_id: int | None = None,
    since=None,
    until=None,
):
    """The entries ``user`` may read, newest first, filtered. A ``compound_id``
    outside the user's audit scope is reported as missing (404)."""
    scope = _audit_scope(user)
    qs = AuditLog.objects.filter(scope)
    if compound_id is not None:
        readers = CAPABILITIES["audit.view"]
        if not Compound.objects.filter(
            scope_q(user, roles=readers, compound="id"), pk=compound_id
        ).exists():
            raise Http404(_("未找到该记录。"))
        qs = qs.filter(compound_id=compound_id)
    if action_prefix:
        qs = qs.filter(action__startswith=action_prefix)
    if actor_id is not None:
        qs = qs.filter(actor_id=actor_id)
    if since is not None:
        qs = qs.filter(at__gte=since)
    if until is not None:
        qs = qs.filter(at__lt=until)
    return qs.order_by("-at", "-id")
