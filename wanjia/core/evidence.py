"""Nominable records (先进典型的事迹来源): a record of good work that any module
holds — a family thanked on the volunteers' wall, a dispute mediated in the
building, a team's night in a flood — registered by its app, so that
supervision nominates an exemplary case from any module's evidence without
importing one.

    # volunteers/apps.py ready():
    from wanjia.core import evidence
    evidence.register("volunteers.thanks", _("感谢墙"), find=find_thanks, recent=recent_thanks)

``find(user, id) -> Record | None``: the record when ``user`` may read it (its
compound is within one of the user's memberships, or the user works anywhere),
else None — the caller answers 404, as for a missing id.

``recent(compound_ids, since) -> [Record]``: the compounds' records from
``since`` (a local date) on, newest first: what a nominator picks from."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Record:
    kind: str  # the registered kind ("volunteers.thanks", "disputes.mediation")
    id: int
    label: str  # "感谢王阿姨一家：帮独居老人买菜三个月"
    url: str  # the record's page for staff ("" when it has none)
    compound_id: int
    company_id: int
    happened_on: date
    people: str = ""  # who did it, as the record names them ("3号楼志愿服务队")

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"


@dataclass(frozen=True)
class Source:
    kind: str
    label: str  # lazy translation: what the records are ("感谢墙")
    find: Callable[[object, int], Record | None]
    recent: Callable[[Sequence[int], date], list[Record]]


_SOURCES: dict[str, Source] = {}


def register(kind: str, label, *, find: Callable, recent: Callable) -> Source:
    """Register (or replace: ``ready`` may run twice in tests) one kind."""
    source = Source(kind, label, find, recent)
    _SOURCES[kind] = source
    return source


def sources() -> dict[str, Source]:
    return dict(_SOURCES)


def find(user, key: str) -> Record | None:
    """The record ``"<kind>:<id>"`` when ``user`` may read it, else None."""
    kind, _sep, raw = key.rpartition(":")
    source = _SOURCES.get(kind)
    if source is None or not raw.isdigit():
        return None
    return source.find(user, int(raw))
