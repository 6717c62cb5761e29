"""The credit area's URLs (pages, exports, API) through the kernel's tenancy
kit: a company admin of A reading or contesting company B's score, items,
awards or objections gets the 404 of a missing record; compound roles are 403
before any lookup; only the authority decides and records."""

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from wanjia.core import conduct
from wanjia.core.testkit import Endpoint, cases, check, item_of, others
from wanjia.supervision.credit import periods, services
from wanjia.supervision.credit.models import CreditScore, Objection

from .credit_helpers import EVIDENCE, _collect, bad

pytestmark = pytest.mark.django_db

SEE = ("company_admin_a", "regulator")
GOV = ("regulator",)
ADMIN = ("company_admin_a",)


def _side(w, company, compound):
    award = services.award_record(
        actor=w.regulator,
        company=company,
        title="文明物业",
        issuer="市住建局",
        awarded_on=timezone.localdate(),
        points=5,
    )
    EVIDENCE.append(bad(company, 3, timezone.localdate(), 1, compound=compound))
    services.scores_compute(periods.current(), company_ids=[company.pk])
    score = CreditScore.objects.get(company=company, period=periods.current())
    item = score.items.get(kind="bad")
    objection = Objection.objects.create(
        company=company,
        period=score.period,
        rule=item.rule,
        ref="test.other",
        item_label=item.label,
        points=item.counted,
        text="该记录有误",
        due_at=timezone.now() + timezone.timedelta(days=10),
    )
    objection.file.save(f"objection-{objection.pk}.pdf", ContentFile(b"%PDF-1.4\n%%EOF"), save=True)
    return {"company": company, "award": award, "item": item, "objection": objection}


@pytest.fixture(scope="module")
def credit_world(world_once, django_db_blocker):
    w = world_once
    conduct.register(
        "test", "test.bad", "测试扣分", kind=conduct.BAD, note="测试", collect=_collect
    )
    with django_db_blocker.unblock():
        EVIDENCE.clear()
        w.credit = {"a": _side(w, w.a.company, w.a), "b": _side(w, w.b.company, w.b)}
    yield w
    EVIDENCE.clear()
    conduct._RULES.pop("test.bad", None)


company = item_of("credit", "company")


def _objection_state(world, obj):
    return tuple(Objection.objects.filter(pk=obj.pk).values_list("status", "reason"))


ENDPOINTS = [
    Endpoint("companies", "/gov/credit/", allowed=GOV, forbidden=others(*GOV)),
    Endpoint("settings", "/gov/credit/settings/", allowed=GOV, forbidden=others(*GOV)),
    Endpoint("awards", "/gov/credit/awards/", allowed=GOV, forbidden=others(*GOV)),
    Endpoint("mine", "/console/credit/", allowed=ADMIN, forbidden=others(*ADMIN)),
    Endpoint("objections", "/credit/objections/", allowed=SEE, forbidden=others(*SEE)),
    Endpoint(
        "company",
        "/gov/credit/companies/{pk}/",
        allowed=SEE,
        forbidden=others(*SEE),
        obj=company,
        outsider=None,
    ),
    Endpoint(
        "award",
        "/credit/awards/{pk}/",
        allowed=SEE,
        forbidden=others(*SEE),
        obj=item_of("credit", "award"),
        outsider=None,
    ),
    Endpoint(
        "objection",
        "/credit/objections/{pk}/",
        allowed=SEE,
        forbidden=others(*SEE),
        obj=item_of("credit", "objection"),
        outsider=None,
    ),
    Endpoint(
        "objection_file",
        "/credit/objections/{pk}/file/",
        allowed=SEE,
        forbidden=others(*SEE),
        obj=item_of("credit", "objection"),
        outsider=None,
    ),
    Endpoint(
        "decide",
        "/credit/objections/{pk}/",
        method="post",
        body={"decision": "uphold", "reason": "核实属实"},
        allowed=GOV,
        forbidden=others(*GOV),
        obj=item_of("credit", "objection"),
        state=_objection_state,
        outsider=None,
    ),
    Endpoint(
        "object",
        "/credit/items/{pk}/object/",
        method="post",
        body={"kind": "contest", "text": "该记录有误，请核实"},
        allowed=ADMIN,
        forbidden=others(*ADMIN),
        obj=item_of("credit", "item"),
        state=lambda w, o: Objection.objects.count(),
        outsider=None,
    ),
    Endpoint(
        "export_items",
        lambda o: f"/credit/export/items.xlsx?company={o.pk}",
        allowed=SEE,
        forbidden=others(*SEE),
        obj=company,
        outsider=None,
    ),
    Endpoint(
        "print_items",
        lambda o: f"/credit/print/items/?company={o.pk}",
        allowed=SEE,
        forbidden=others(*SEE),
        obj=company,
        outsider=None,
    ),
    Endpoint("export_ranking", "/credit/export/ranking.xlsx", allowed=GOV, forbidden=others(*SEE)),
    Endpoint("print_black", "/credit/print/black/", allowed=GOV, forbidden=others(*SEE)),
    Endpoint(
        "api_companies",
        "/api/v1/supervision/companies",
        api=True,
        allowed=SEE,
        forbidden=others(*SEE),
    ),
    Endpoint(
        "api_score",
        "/api/v1/supervision/companies/{pk}/score",
        api=True,
        allowed=SEE,
        forbidden=others(*SEE),
        obj=company,
        outsider=None,
    ),
]


@pytest.mark.parametrize("case", cases("supervision_credit", ENDPOINTS))
def test_tenancy(case, credit_world, login, api):
    check(case, credit_world, login, api)
