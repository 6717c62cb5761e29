"""Writes of identity data: tokens, memberships, notifications."""

import secrets

from django.db import connection, transaction
from django.utils import timezone

from . import rows
from .audit import audit
from .models import ApiToken, Membership, ScopeType, User


def token_issue(*, actor, name: str = "api", ip: str | None = None) -> str:
    """A new bearer token for ``actor``. Only its hash is stored: the clear key is
    returned once and cannot be recovered."""
    key = secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=actor, key_hash=ApiToken.hash_key(key), prefix=key[:8], name=name[:100]
        )
        audit(
            actor=actor,
            action="core.token.issued",
            obj=token,
            detail={"name": name[:100], "prefix": key[:8]},
            ip=ip,
        )
    return key


def token_user(key: str):
    """The active user a live token belongs to, or None (unknown, revoked,
    inactive), with the user's memberships (and their region and household)
    already loaded for :func:`~wanjia.core.scoping.memberships_of`.

    One plain statement (a row per membership) where the ORM sent two: every
    API call pays for it, and almost every one then asks for the caller's
    roles (bench/bench_checkin.py, bench/peak/profile.py)."""
    if not key:
        return None
    region = Membership._meta.get_field("region").related_model
    household = Membership._meta.get_field("household").related_model
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT t.id, t.last_used_at, {rows.columns(User, 'u')},"  # noqa: S608 (names are ours)
            f" {rows.columns(Membership, 'm')}, {rows.columns(region, 'r')},"
            f" {rows.columns(household, 'h')}"
            f" FROM {ApiToken._meta.db_table} t JOIN {User._meta.db_table} u ON u.id = t.user_id"
            f" LEFT JOIN {Membership._meta.db_table} m ON m.user_id = u.id"
            f" LEFT JOIN {region._meta.db_table} r ON r.id = m.region_id"
            f" LEFT JOIN {household._meta.db_table} h ON h.id = m.household_id"
            " WHERE t.key_hash = %s AND t.revoked_at IS NULL ORDER BY m.id",
            [ApiToken.hash_key(key)],
        )
        found = cursor.fetchall()
    if not found:
        return None
    token_id, used_at = found[0][0], rows.value(ApiToken, "last_used_at", found[0][1])
    at = 2
    user = rows.load(User, found[0][at : at + rows.width(User)])
    if not user.is_active:
        return None
    at += rows.width(User)
    memberships = []
    for row in found:
        m = rows.load(Membership, row[at : at + rows.width(Membership)])
        if m is None:
            break
        m_at = at + rows.width(Membership)
        m.region = rows.load(region, row[m_at : m_at + rows.width(region)])
        m_at += rows.width(region)
        m.household = rows.load(household, row[m_at : m_at + rows.width(household)])
        memberships.append(m)
    user._wanjia_memberships = memberships
    now = timezone.now()
    if used_at is None or (now - used_at).total_seconds() > 300:
        ApiToken.objects.filter(pk=token_id).update(last_used_at=now)  # at most every 5 min
    return user


def token_revoke(*, actor, key: str) -> bool:
    with transaction.atomic():
        done = ApiToken.objects.filter(
            user=actor, key_hash=ApiToken.hash_key(key), revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
        if done:
            audit(actor=actor, action="core.token.revoked", detail={"prefix": key[:8]})
    return bool(done)


def membership_grant(*, actor, user, role: str, node) -> Membership:
    """Give ``user`` ``role`` over ``node`` (a Region, Company, Compound, Building or Household)."""
    scope_type = ScopeType(node.__class__.__name__.lower())
    fields = {scope_type.value: node}
    if scope_type == ScopeType.BUILDING:
        fields["compound_id"] = node.compound_id
    elif scope_type == ScopeType.HOUSEHOLD:
        fields["compound_id"] = node.compound_id
        fields["building_id"] = node.building_id
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(
            user=user, role=role, scope_type=scope_type, **fields
        )
        if created:
            compound = node if scope_type == ScopeType.COMPOUND else getattr(node, "compound", None)
            audit(
                actor=actor,
                action="core.membership.granted",
                compound=compound,
                detail={
                    "user": user.pk,
                    "role": role,
                    "scope_type": scope_type.value,
                    "scope_id": node.pk,
                },
            )
    user.__dict__.pop("_wanjia_memberships", None)
    return membership


def user_language_keep(user, language: str) -> None:
    """Keep ``language`` on the account: notices to ``user`` are written in it."""
    User.objects.filter(pk=user.pk).update(language=language)
    user.language = language
