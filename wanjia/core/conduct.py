"""Conduct rules (信用加减分): what counts for or against a property company's
credit, registered by the app that holds the record, so that supervision scores
every company from every module without importing one.

    # tickets/apps.py ready():
    from wanjia.core import conduct
    conduct.register(
        "tickets", "tickets.sla_missed", _("工单超时未办结"), kind=conduct.BAD,
        note=_("期间内超过完成时限的工单，超出阈值部分每单扣1分。"),
        collect=sla_missed_evidence, order=20)

``collect(company_ids, start, end) -> [Evidence]``: the records of those
companies over [start, end] (local dates, inclusive) that earn or cost points
under this rule, each with the points it is worth (always >= 0; the rule's
``kind`` says which way they count). A rule with a threshold ("beyond 5 missed
tickets") answers evidence only for what lies beyond it, each record carrying
its own points, so that a score is always the sum of its evidence.

Every piece of evidence names its record (``ref``, stable: an objection or a
restoration attaches to it) and where the authority reads it (``url``), so a
score shows each point's evidence one click away.

``serious`` marks a rule whose evidence alone black-lists a company (a serious
violation), whatever its score."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

GOOD, BAD = "good", "bad"


@dataclass(frozen=True)
class Evidence:
    rule: str  # the rule's code ("tickets.sla_missed")
    ref: str  # the record, stable: "tickets.ticket:123"
    company_id: int
    compound_id: int | None  # None: the company as a whole (an award)
    points: float  # >= 0; the rule's kind gives the sign
    label: str  # what happened, in the current language ("工单 T-0012 超时3天")
    url: str  # where the authority reads the record ("" when it has no page)
    happened_on: date


@dataclass(frozen=True)
class Rule:
    code: str
    app: str
    label: str  # lazy translation
    kind: str  # GOOD or BAD
    note: str  # lazy translation: how the points are counted (口径)
    collect: Callable[[Sequence[int], date, date], list[Evidence]]
    serious: bool = False
    order: int = 50


_RULES: dict[str, Rule] = {}


def register(
    app: str,
    code: str,
    label,
    *,
    kind: str,
    note,
    collect: Callable,
    serious: bool = False,
    order: int = 50,
) -> Rule:
    """Register (or replace: ``ready`` may run twice in tests) one rule."""
    if kind not in (GOOD, BAD):
        raise ValueError(f"conduct rule {code!r}: kind must be GOOD or BAD")
    rule = Rule(code, app, label, kind, note, collect, serious, order)
    _RULES[code] = rule
    return rule


def rules(kind: str | None = None) -> list[Rule]:
    found = sorted(_RULES.values(), key=lambda r: (r.order, r.code))
    return [r for r in found if kind is None or r.kind == kind]


def rule(code: str) -> Rule:
    return _RULES[code]
