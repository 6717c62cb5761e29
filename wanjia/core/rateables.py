"""Rateable subjects (好差评): what a resident may rate after a finished service,
registered by the app that owns the service, so the satisfaction app reads a
delivered bag, a settled dispute or a care visit without importing any of them.

    # delivery/apps.py ready():
    from wanjia.core import rateables
    from .rateable import find_bag, recent_bags
    rateables.register("bag", _("菜篮子配送"), find=find_bag, recent=recent_bags)

``find(user, id) -> Subject | None``: the subject when it is one of the
caller's households' (a household membership of the user), else None (the
caller answers 404, the same as a missing id). A subject that is the
household's but not finished yet comes back with ``finished_at=None``: it
exists, it cannot be rated yet.

``recent(household_ids, since) -> [Subject]``: the households' subjects
finished at or after ``since`` (the things a resident may still rate).

``page_slot``: the panel slot (``core.panels``) of the resident's own page of
one subject, whose object's pk is the subject's id; the satisfaction app puts
its "rate this" panel there.

A subject belongs to one compound (and so one company); ``household_id`` is
the household that may rate it (a dispute with two household parties
answers one Subject per household through ``recent``; ``find`` answers the
caller's)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from .models import ScopeType
from .roles import Role
from .scoping import memberships_of


@dataclass(frozen=True)
class Subject:
    kind: str  # "bag", "dispute", "care_visit", "ticket", "booking"...
    id: int
    label: str  # "菜篮子 QX-20261203-0012"
    url: str  # where the resident sees the service ("" when it has no page)
    compound_id: int
    company_id: int
    household_id: int
    finished_at: datetime | None  # None: not finished, not rateable yet

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"

    @property
    def finished(self) -> bool:
        return self.finished_at is not None


@dataclass(frozen=True)
class Rateable:
    kind: str
    label: str  # lazy translation: what the service is called ("菜篮子配送")
    find: Callable[[object, int], Subject | None]
    recent: Callable[[list[int], datetime], list[Subject]]
    page_slot: str = ""


_KINDS: dict[str, Rateable] = {}


def register(
    kind: str, label, *, find: Callable, recent: Callable, page_slot: str = ""
) -> Rateable:
    """Register (or replace: ``ready`` may run twice in tests) one kind."""
    rateable = Rateable(kind, label, find, recent, page_slot)
    _KINDS[kind] = rateable
    return rateable


def kinds() -> dict[str, Rateable]:
    return dict(_KINDS)


def kind(name: str) -> Rateable | None:
    return _KINDS.get(name)


def households_of(user) -> list[int]:
    """The households ``user`` belongs to as a resident: whose services they rate."""
    return [
        m.household_id
        for m in memberships_of(user)
        if m.scope_type == ScopeType.HOUSEHOLD
        and m.role == Role.RESIDENT
        and m.household_id is not None
    ]


def find(user, key: str) -> Subject | None:
    """``"<kind>:<id>"`` -> the caller's subject, or None (unknown kind, bad id,
    not the caller's household's)."""
    name, _sep, raw = (key or "").partition(":")
    rateable = _KINDS.get(name)
    if rateable is None or not raw.isdigit() or len(raw) > 18:
        return None
    return rateable.find(user, int(raw))


def recent(household_ids: list[int], since: datetime) -> list[Subject]:
    """Every kind's finished subjects of these households since ``since``."""
    if not household_ids:
        return []
    found: list[Subject] = []
    for rateable in _KINDS.values():
        found.extend(rateable.recent(household_ids, since))
    return sorted(found, key=lambda s: s.finished_at, reverse=True)
