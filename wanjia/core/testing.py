"""The kernel's test helpers: users and memberships. The persona world (compounds,
households, residents) is the registry's: wanjia.estates.testing."""

import itertools

from wanjia.core.models import User
from wanjia.core.services import membership_grant

PASSWORD = "correct-horse-battery-9"
_seq = itertools.count(1)


def make_user(
    username: str | None = None, *, phone: str | None = None, display_name: str = "", **extra
) -> User:
    n = next(_seq)
    user = User(username=username or f"user{n}", phone=phone, display_name=display_name, **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


def grant(user: User, role: str, node) -> User:
    membership_grant(actor=None, user=user, role=role, node=node)
    return user
