"""The demo accounts, one per role, each scoped as its name says.

Everyone but the regulator and the company admin works or lives in the demo
compound (``DEMO_COMPOUND_CODE``), so one compound shows every role's view.
Memberships go through ``membership_grant``, the same path the pages use."""

import random

from django.contrib.auth.hashers import make_password
from django.core.management.base import CommandError

from wanjia.core.models import Building, Compound, Region, User
from wanjia.core.roles import Role
from wanjia.core.services import membership_grant
from wanjia.estates.models import Resident, StaffMember

from . import city, names
from .constants import ACCOUNTS, DEMO_COMPOUND_CODE, DEMO_PASSWORD

STAFF_ACCOUNTS = {"patrol": "patrol", "courier": "courier", "caretaker": "caretaker"}


def create_accounts(*, registry, log) -> list[dict]:
    """Create the users of ``ACCOUNTS`` and return one line of facts per account."""
    taken = sorted(User.objects.filter(username__in=ACCOUNTS).values_list("username", flat=True))
    if taken:
        raise CommandError(
            f"these demo usernames already exist: {', '.join(taken)}; "
            "load the demo into a database without them"
        )
    compound = Compound.objects.select_related("company").get(code=DEMO_COMPOUND_CODE)
    building = Building.objects.filter(compound=compound).order_by("sort").first()
    rng = random.Random(f"{city.SEED}:accounts")
    ctx = {
        "password": make_password(DEMO_PASSWORD),  # hashed once, shared by all ten
        "rng": rng,
        "registry": registry,
    }
    region = Region.objects.get(code=city.CITY_CODE)
    made = [
        _grant(_user(ctx, "regulator"), Role.REGULATOR, region),
        _grant(_user(ctx, "company_admin"), Role.COMPANY_ADMIN, compound.company),
        _grant(_user(ctx, "manager"), Role.COMPOUND_MANAGER, compound),
        _grant(_user(ctx, "party_secretary"), Role.PARTY_SECRETARY, compound),
        _grant(_user(ctx, "building_leader"), Role.BUILDING_LEADER, building),
    ]
    for username, duty in STAFF_ACCOUNTS.items():
        made.append(_staff_account(ctx, username, duty, compound))
    made.append(_resident_account(ctx, building))
    made.append(_grant(_user(ctx, "volunteer"), Role.VOLUNTEER, compound))
    log(f"accounts: {len(made)} (password {DEMO_PASSWORD})")
    return made


def _user(ctx, username: str, *, name: str = "", phone: str = "") -> User:
    rng = ctx["rng"]
    phone = phone or ctx["registry"].phone(rng)
    if User.objects.filter(phone=phone).exists():  # a real user got there first
        phone = None
    return User.objects.create(
        username=username,
        display_name=name or names.person_name(rng, rng.choice("MF")),
        phone=phone,
        password=ctx["password"],
    )


def _grant(user: User, role: str, node) -> dict:
    membership_grant(actor=None, user=user, role=role, node=node)
    return {
        "username": user.username,
        "role": role,
        "scope": f"{node.__class__.__name__.lower()}:{node}",
        "display_name": user.display_name,
        "phone": user.phone or "",
    }


def _staff_account(ctx, username: str, duty: str, compound: Compound) -> dict:
    """A staff login for the first employee of the demo compound with ``duty``."""
    member = (
        StaffMember.objects.filter(compound=compound, duties__duty=duty, user__isnull=True)
        .order_by("id")
        .first()
    )
    user = _user(ctx, username, name=member.name, phone=member.phone)
    StaffMember.objects.filter(pk=member.pk).update(user=user)
    return _grant(user, Role.STAFF, compound)


def _resident_account(ctx, building: Building) -> dict:
    """The owner of the first household in the leader's building that has an
    owner with a phone and at least one other person at home."""
    by_household: dict[int, list[Resident]] = {}
    for r in Resident.objects.filter(building=building).select_related("household"):
        by_household.setdefault(r.household_id, []).append(r)
    for household_id in sorted(by_household):
        head, *others = sorted(by_household[household_id], key=lambda r: r.pk)
        if others and head.phone and head.relation == "owner":
            break
    else:
        raise CommandError(f"no household in {building} fits the demo resident")
    user = _user(ctx, "resident", name=head.name, phone=head.phone)
    Resident.objects.filter(pk=head.pk).update(user=user)
    return _grant(user, Role.RESIDENT, head.household)
