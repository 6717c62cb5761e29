"""Shared pieces of the credit tests: a bad-conduct rule whose evidence the
test sets (the registry is how every module feeds the score), awards."""

from datetime import date

import pytest

from wanjia.core import conduct
from wanjia.core.conduct import Evidence

EVIDENCE: list[Evidence] = []


def _collect(company_ids, start, end):
    return [
        e
        for e in EVIDENCE
        if e.company_id in company_ids and start <= e.happened_on <= end and e.rule == "test.bad"
    ]


def _collect_serious(company_ids, start, end):
    return [
        e
        for e in EVIDENCE
        if e.company_id in company_ids
        and start <= e.happened_on <= end
        and e.rule == "test.serious"
    ]


@pytest.fixture
def rules_under_test():
    EVIDENCE.clear()
    conduct.register(
        "test", "test.bad", "测试扣分", kind=conduct.BAD, note="测试", collect=_collect
    )
    conduct.register(
        "test",
        "test.serious",
        "严重违规",
        kind=conduct.BAD,
        note="测试",
        collect=_collect_serious,
        serious=True,
    )
    yield EVIDENCE
    EVIDENCE.clear()
    conduct._RULES.pop("test.bad", None)
    conduct._RULES.pop("test.serious", None)


def bad(company, points, day: date, n: int, *, rule="test.bad", compound=None):
    return Evidence(
        rule=rule,
        ref=f"test.record:{company.pk}:{n}",
        company_id=company.pk,
        compound_id=compound.pk if compound else None,
        points=points,
        label=f"扣分记录 {n}",
        url=f"/evidence/{n}/",
        happened_on=day,
    )
