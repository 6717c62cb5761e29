"""Writes of identity data: tokens, memberships, notifications."""

import secrets

from django.db import transaction
from django.utils import timezone

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
    """The active user a live token belongs to, or None (unknown, revoked, inactive)."""
    if not key:
        return None
    token = (
        ApiToken.objects.filter(key_hash=ApiToken.hash_key(key), revoked_at__isnull=True)
        .select_related("user")
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)  # at most every 5 min
    return token.user


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
