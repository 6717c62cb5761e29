"""Login by username or phone number, with lockout by account and by IP.

Used by the login page, by ``POST /api/v1/auth/token`` and by ``/admin/login/``
alike, so a password guesser gains nothing by switching between them; every
attempt through any of them lands in the one audit log (``core.login.*``)."""

import ipaddress
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import LoginFailure, User


def find_login_user(login: str):
    """The user whose username, or else whose phone, is ``login``.

    A username wins over a phone number: otherwise somebody could register a
    username equal to another person's phone and shadow their login."""
    if not login:
        return None
    return (
        User.objects.filter(Q(username=login) | Q(phone=login))
        .annotate(
            by_name=Case(
                When(username=login, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("by_name", "pk")
        .first()
    )


class PhoneOrUsernameBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or not password:
            return None
        user = find_login_user(username)
        if user is None:
            User().set_password(password)  # same work as a real check: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The client's address. Behind our own proxy (``BEHIND_PROXY=1``) that is the
    last X-Forwarded-For entry, the one the proxy appended; earlier entries are
    whatever the client sent and would let it dodge the per-IP lockout."""
    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded and (ip := _valid_ip(forwarded.split(",")[-1])):
            return ip
    return _valid_ip(request.META.get("REMOTE_ADDR", "") or "")


def lockout_message() -> str:
    return _("登录失败次数过多，已暂时锁定，请%(minutes)d分钟后再试。") % {
        "minutes": settings.LOGIN_LOCK_MINUTES
    }


def is_locked_out(username: str, ip: str | None) -> bool:
    since = timezone.now() - timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
    recent = LoginFailure.objects.filter(at__gte=since)
    if recent.filter(username=username.lower()).count() >= settings.LOGIN_MAX_FAILURES_ACCOUNT:
        return True
    return bool(ip) and recent.filter(ip=ip).count() >= settings.LOGIN_MAX_FAILURES_IP


def record_failure(username: str, ip: str | None) -> None:
    LoginFailure.objects.create(username=username.lower()[:150], ip=ip)


def clear_failures(username: str) -> None:
    """A successful login clears the account's counter, not the IP's: the rows stay
    (with the account name removed) so that one good password from an address
    does not reset the count of a spray against other accounts from it."""
    LoginFailure.objects.filter(username=username.lower()).update(username="")


def _audit_login(action: str, *, account, channel: str, ip: str | None) -> None:
    """One entry per attempt. Only a known account's username is written: what
    was typed for an unknown one may be a phone number or a mistyped password."""
    from .audit import audit

    audit(
        actor=account,
        action=action,
        detail={"channel": channel, "account": account.username if account else ""},
        ip=ip,
    )


def login_check(request, username: str, password: str, *, channel: str = "page"):
    """(user, error_code). error_code is 'locked' or 'invalid' when user is None.

    ``channel`` ("page", "api", "admin") says where the attempt came from, for
    the audit log; the lockout counts them all together. While locked, even the
    right password is refused, so a guesser cannot tell."""
    from django.contrib.auth import authenticate

    ip = client_ip(request)
    username = (username or "").strip()
    if "\x00" in username or "\x00" in (password or ""):
        return None, "invalid"  # no account has one, and the database cannot compare it
    # Count failures against the account, whichever of its names was typed.
    known = find_login_user(username)
    account = known.username if known else username
    if is_locked_out(account, ip):
        _audit_login("core.login.locked", account=known, channel=channel, ip=ip)
        return None, "locked"
    user = authenticate(request, username=username, password=password)
    if user is None:
        record_failure(account, ip)
        _audit_login("core.login.failed", account=known, channel=channel, ip=ip)
        return None, "invalid"
    clear_failures(account)
    _audit_login("core.login.succeeded", account=user, channel=channel, ip=ip)
    return user, None
