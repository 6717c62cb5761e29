"""The inspections area's URLs through the kernel's tenancy kit: each
compound has a finished inspection with a finding (and its photo), a
rectification notice with evidence, and a notice to its company; another
compound's or company's record is 404."""

import pytest
import time_machine

from wanjia.core.testkit import Endpoint, cases, check, item_of, others
from wanjia.supervision.inspections import services
from wanjia.supervision.inspections.models import (
    Finding,
    NoticeRecipient,
    Rectification,
    RectificationEvidence,
)

from .inspections_helpers import NOW, inspected, jpeg, pdf

pytestmark = pytest.mark.django_db

GOV = ("regulator",)
CO = ("manager_a", "company_admin_a")
BOTH = (*CO, *GOV)


def _side(w, compound, manager):
    ins, finding, rect = inspected(w, compound)
    # a second notice, submitted, for the authority to decide
    _, _, submitted = inspected(w, compound)
    services.evidence_submit(actor=manager, rectification=submitted, text="已改", photos=[jpeg()])
    notice = services.notice_send(
        actor=w.regulator,
        title="通知",
        body="正文",
        company_ids=[compound.company_id],
        attachment=pdf(),
    )
    receipt = NoticeRecipient.objects.get(notice=notice)
    replied_notice = services.notice_send(
        actor=w.regulator, title="通知2", body="正文", company_ids=[compound.company_id]
    )
    replied = NoticeRecipient.objects.get(notice=replied_notice)
    services.notice_reply(actor=manager, recipient=replied, text="收到", file=pdf())
    underway = services.inspection_plan(
        actor=w.regulator, compound=compound, template=ins.template, planned_on=NOW.date()
    )
    underway = services.inspection_start(actor=w.regulator, inspection=underway)
    return {
        "notice": notice,
        "replied": replied,
        "underway": underway,
        "result": underway.results.first(),
        "ins": ins,
        "finding": finding,
        "photo": finding.photos.get(),
        "rect": rect,
        "submitted": submitted,
        "evphoto": submitted.evidence.get().photos.get(),
        "receipt": receipt,
    }


@pytest.fixture(scope="module")
def si_world(world_once, django_db_blocker):
    w = world_once
    with django_db_blocker.unblock(), time_machine.travel(NOW, tick=False):
        w.si = {"a": _side(w, w.a, w.manager_a), "b": _side(w, w.b, w.outsider_b)}
    return w


def _rect_state(w, o):
    return tuple(Rectification.objects.filter(pk=o.pk).values_list("status", "deadline"))


def _receipt_state(w, o):
    return tuple(NoticeRecipient.objects.filter(pk=o.pk).values_list("read_at", "replied_at"))


ins = item_of("si", "ins")
rect = item_of("si", "rect")
submitted = item_of("si", "submitted")
receipt = item_of("si", "receipt")

underway = item_of("si", "underway")
ENDPOINTS = [
    Endpoint(
        "finding_add",
        "/gov/inspections/{pk}/findings/",
        method="post",
        body=lambda w, o: {"text": "问题", "photos": [jpeg()]},
        allowed=GOV,
        forbidden=others(*GOV),
        obj=underway,
        state=lambda w, o: Finding.objects.count(),
    ),
    Endpoint(
        "finish",
        "/gov/inspections/{pk}/finish/",
        method="post",
        allowed=(),  # items left: the regulator's finish is a 422 (test_flow)
        forbidden=others(*GOV),
        obj=underway,
        state=lambda w, o: tuple(type(o).objects.filter(pk=o.pk).values_list("status")),
    ),
    Endpoint(
        "item",
        lambda o: f"/gov/inspections/{o.inspection_id}/items/{o.pk}/",
        method="post",
        body={"outcome": "pass"},
        allowed=GOV,
        forbidden=others(*GOV),
        obj=item_of("si", "result"),
        state=lambda w, o: tuple(type(o).objects.filter(pk=o.pk).values_list("outcome")),
    ),
    Endpoint(
        "notice",
        "/gov/notices/{pk}/",
        allowed=GOV,
        forbidden=others(*GOV),
        obj=item_of("si", "notice"),
        outsider=None,  # a company's manager has no authority: 403 before any lookup
    ),
    Endpoint(
        "notice_file",
        "/notices/{pk}/file/",
        allowed=BOTH,
        forbidden=(),
        obj=item_of("si", "notice"),
    ),
    Endpoint(
        "reply_file",
        "/notices/receipts/{pk}/file/",
        allowed=BOTH,
        forbidden=(),
        obj=item_of("si", "replied"),
    ),
    Endpoint("inspections", "/gov/inspections/", allowed=GOV, forbidden=others(*GOV)),
    Endpoint("checklists", "/gov/inspections/checklists/", allowed=GOV, forbidden=others(*GOV)),
    Endpoint("rects", "/gov/rectifications/", allowed=GOV, forbidden=others(*GOV)),
    Endpoint("notices", "/gov/notices/", allowed=GOV, forbidden=others(*GOV)),
    Endpoint("my_rects", "/rectifications/", allowed=BOTH, forbidden=others(*BOTH)),
    Endpoint("inbox", "/notices/", allowed=CO, forbidden=others(*CO, *GOV)),
    Endpoint("inspection", "/inspections/{pk}/", allowed=BOTH, forbidden=others(*BOTH), obj=ins),
    Endpoint(
        "inspection_print",
        "/inspections/{pk}/print/",
        allowed=BOTH,
        forbidden=others(*BOTH),
        obj=ins,
    ),
    Endpoint(
        "start",
        "/gov/inspections/{pk}/start/",
        method="post",
        allowed=(),  # the regulator's start of a finished one is a 409 (test_flow)
        forbidden=others(*GOV),
        obj=ins,
        state=lambda w, o: tuple(type(o).objects.filter(pk=o.pk).values_list("status")),
    ),
    Endpoint(
        "photo",
        "/inspections/photos/{pk}/",
        allowed=BOTH,
        forbidden=others(*BOTH),
        obj=item_of("si", "photo"),
    ),
    Endpoint(
        "evidence_photo",
        "/rectifications/photos/{pk}/",
        allowed=BOTH,
        forbidden=others(*BOTH),
        obj=item_of("si", "evphoto"),
    ),
    Endpoint("rect", "/rectifications/{pk}/", allowed=BOTH, forbidden=others(*BOTH), obj=rect),
    Endpoint(
        "rect_issue",
        "/gov/findings/{pk}/rectify/",
        method="post",
        body={"requirement": "再改", "deadline": "2026-08-01"},
        allowed=GOV,
        forbidden=others(*BOTH),
        obj=item_of("si", "finding"),
        state=lambda w, o: Rectification.objects.count(),
    ),
    Endpoint(
        "evidence",
        "/rectifications/{pk}/evidence/",
        method="post",
        body=lambda w, o: {"text": "已改", "photos": [jpeg()]},
        allowed=CO,
        forbidden=others(*CO),
        obj=rect,
        state=lambda w, o: RectificationEvidence.objects.count(),
    ),
    Endpoint(
        "decide",
        "/gov/rectifications/{pk}/decide/",
        method="post",
        body={"decision": "accept"},
        allowed=GOV,
        forbidden=others(*GOV),
        obj=submitted,
        state=_rect_state,
    ),
    Endpoint(
        "receipt",
        "/notices/receipts/{pk}/",
        allowed=CO,
        forbidden=others(*CO, *GOV),
        obj=receipt,
        outsider="outsider_b",
    ),
    Endpoint(
        "reply",
        "/notices/receipts/{pk}/reply/",
        method="post",
        body={"text": "收到"},
        allowed=CO,
        forbidden=others(*CO, *GOV),
        obj=receipt,
        state=_receipt_state,
    ),
    Endpoint(
        "api_rects",
        "/api/v1/supervision/rectifications",
        api=True,
        allowed=BOTH,
        forbidden=others(*BOTH),
    ),
    Endpoint(
        "api_rect",
        "/api/v1/supervision/rectifications/{pk}",
        api=True,
        allowed=BOTH,
        forbidden=others(*BOTH),
        obj=rect,
    ),
    Endpoint(
        "api_evidence",
        "/api/v1/supervision/rectifications/{pk}/evidence",
        method="post",
        api=True,
        body=lambda w, o: {
            "text": "已改",
            "photos": [__import__("base64").b64encode(jpeg().read()).decode()],
        },
        allowed=CO,
        forbidden=others(*CO),
        obj=rect,
        state=lambda w, o: RectificationEvidence.objects.count(),
    ),
    Endpoint(
        "api_notices",
        "/api/v1/supervision/notices",
        api=True,
        allowed=CO,
        forbidden=others(*CO, *GOV),
    ),
    Endpoint(
        "api_read",
        "/api/v1/supervision/notices/{pk}/read",
        method="post",
        api=True,
        allowed=CO,
        forbidden=others(*CO, *GOV),
        obj=receipt,
        state=_receipt_state,
    ),
    Endpoint(
        "api_reply",
        "/api/v1/supervision/notices/{pk}/reply",
        method="post",
        api=True,
        body={"text": "收到"},
        allowed=CO,
        forbidden=others(*CO, *GOV),
        obj=receipt,
        state=_receipt_state,
    ),
]


@pytest.mark.parametrize("case", cases("supervision_inspections", ENDPOINTS))
def test_tenancy(case, si_world, login, api):
    with time_machine.travel(NOW, tick=False):
        check(case, si_world, login, api)
