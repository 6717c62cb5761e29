"""Login by username or phone number, with lockout by account and by IP."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q
from django.utils import timezone

from .models import LoginFailure, User


class PhoneOrUsernameBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or not password:
            return None
        user = User.objects.filter(Q(username=username) | Q(phone=username)).first()
        if user is None:
            User().set_password(password)  # same work as a real check: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def client_ip(request) -> str | None:
    if settings.SECURE_PROXY_SSL_HEADER:  # behind our own proxy: trust its X-Forwarded-For
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR")


def is_locked_out(username: str, ip: str | None) -> bool:
    since = timezone.now() - timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
    recent = LoginFailure.objects.filter(at__gte=since)
    if recent.filter(username=username.lower()).count() >= settings.LOGIN_MAX_FAILURES_ACCOUNT:
        return True
    return bool(ip) and recent.filter(ip=ip).count() >= settings.LOGIN_MAX_FAILURES_IP


def record_failure(username: str, ip: str | None) -> None:
    LoginFailure.objects.create(username=username.lower(), ip=ip)


def clear_failures(username: str) -> None:
    LoginFailure.objects.filter(username=username.lower()).delete()


def login_check(request, username: str, password: str):
    """(user, error_code). error_code is 'locked' or 'invalid' when user is None."""
    from django.contrib.auth import authenticate

    ip = client_ip(request)
    username = (username or "").strip()
    # Count failures against the account, whichever of its names was typed.
    known = (
        User.objects.filter(Q(username=username) | Q(phone=username))
        .values_list("username", flat=True)
        .first()
    )
    account = known or username
    if is_locked_out(account, ip):
        return None, "locked"
    user = authenticate(request, username=username, password=password)
    if user is None:
        record_failure(account, ip)
        return None, "invalid"
    clear_failures(account)
    return user, None
