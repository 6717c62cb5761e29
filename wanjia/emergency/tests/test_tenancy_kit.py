"""The emergency app's URLs (console, phone pages, API) through the kernel's
tenancy kit. Each compound has its own open event covering only it, with
its checklist (one item done with a photo), a vulnerable resident on the
roll call; another compound's event, checklist, report and roll call are
404, a manager on the board is 403."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from wanjia.core.testkit import Endpoint, cases, check, item_of, others
from wanjia.emergency import services
from wanjia.emergency.models import (
    AfterAction,
    ChecklistItem,
    DailyReport,
    Directive,
    Event,
    EventCompound,
    Group,
    MaterialRequest,
    Nomination,
    Receipt,
    RollCallEntry,
)

from .test_services import jpeg

pytestmark = pytest.mark.django_db

RESPOND = ("manager_a", "secretary_a", "staff_a", "company_admin_a")
SEE = (*RESPOND, "regulator")
GOV = ("regulator",)


def _side(w, compound):
    event = services.event_open(
        actor=w.regulator, kind="flood", grade=3, title="防汛", compound_ids=[compound.pk]
    )
    services.event_prepare(event.job_id, event.pk)
    event.refresh_from_db()
    ec = EventCompound.objects.get(event=event, compound=compound)
    items = list(ChecklistItem.objects.filter(event=event, compound=compound))
    done = items[0]
    done.done_at = timezone.now()
    done.photo.save(f"t-{done.pk}.jpg", jpeg(), save=True)
    person = RollCallEntry.objects.create(
        event=event,
        compound=compound,
        group=Group.VULNERABLE,
        source="care.person:t",
        name="张奶奶",
    )
    directive = services.directive_issue(
        actor=w.regulator,
        event=event,
        title="巡查",
        text="加强巡查",
        hours=4,
        attachment=SimpleUploadedFile("通知.pdf", b"%PDF-1.4\n", "application/pdf"),
    )
    receipt = Receipt.objects.get(directive=directive, compound=compound)
    material = services.material_request(
        actor=w.manager_a if compound == w.a else w.outsider_b,
        event=event,
        compound=compound,
        supply="sandbags",
        quantity=20,
    )
    past = services.event_open(
        actor=w.regulator, kind="flood", grade=3, title="已结束", compound_ids=[compound.pk]
    )
    services.event_prepare(past.job_id, past.pk)
    services.event_close(actor=w.regulator, event=past)
    manager = w.manager_a if compound == w.a else w.outsider_b
    report = services.after_save(
        actor=manager, event=past, compound=compound, happened="a", worked="b", improve="c"
    )
    return {
        "past": past,
        "past_affected": EventCompound.objects.get(event=past, compound=compound),
        "after": report,
        "event": event,
        "affected": ec,
        "item": items[1],
        "done": done,
        "person": person,
        "receipt": receipt,
        "directive": directive,
        "material": material,
    }


@pytest.fixture(scope="module")
def em_world(world_once, django_db_blocker):
    w = world_once
    with django_db_blocker.unblock():
        w.em = {"a": _side(w, w.a), "b": _side(w, w.b)}
    return w


event = item_of("em", "event")
affected = item_of("em", "affected")


def _event_state(world, obj):
    return tuple(Event.objects.filter(pk=obj.pk).values_list("status", "ends_at"))


def _reports(world, obj):
    return DailyReport.objects.count()


AFTER = ("manager_a", "secretary_a", "company_admin_a")
AFTER_GOV = (*AFTER, "regulator")

ENDPOINTS = [
    Endpoint("home", "/console/emergency/", allowed=SEE, forbidden=others(*SEE)),
    Endpoint(
        "new",
        "/console/emergency/new/",
        method="post",
        body=lambda w, o: {
            "title": "演练",
            "kind": "epidemic",
            "grade": "4",
            "compounds": w.a.code,
        },
        allowed=GOV,
        forbidden=others(*GOV),
        state=lambda w, o: Event.objects.count(),
    ),
    Endpoint(
        "board", "/console/emergency/events/{pk}/", allowed=GOV, forbidden=others(*GOV), obj=event
    ),
    Endpoint(
        "close",
        "/console/emergency/events/{pk}/close/",
        method="post",
        body={"summary": "x"},
        allowed=GOV,
        forbidden=others(*GOV),
        obj=event,
        state=_event_state,
    ),
    Endpoint(
        "directive",
        "/console/emergency/events/{pk}/directives/",
        method="post",
        body={"title": "加强巡查", "text": "每两小时一次", "hours": "2"},
        allowed=GOV,
        forbidden=others(*GOV),
        obj=event,
        state=lambda w, o: Directive.objects.count(),
    ),
    Endpoint(
        "directive_file",
        "/emergency/directives/{pk}/file/",
        allowed=SEE,
        forbidden=others(*SEE),
        obj=item_of("em", "directive"),
    ),
    Endpoint(
        "ack",
        "/console/emergency/receipts/{pk}/ack/",
        method="post",
        allowed=RESPOND,
        forbidden=others(*RESPOND),
        obj=item_of("em", "receipt"),
        state=lambda w, o: tuple(Receipt.objects.filter(pk=o.pk).values_list("acked_at")),
    ),
    Endpoint(
        "material_new",
        "/console/emergency/affected/{pk}/materials/",
        method="post",
        body={"supply": "masks", "quantity": "100"},
        allowed=RESPOND,
        forbidden=others(*RESPOND),
        obj=affected,
        state=lambda w, o: MaterialRequest.objects.count(),
    ),
    Endpoint(
        "material_allocate",
        "/console/emergency/materials/{pk}/move/",
        method="post",
        body={"stage": "allocated"},
        allowed=GOV,
        forbidden=others(*GOV),
        obj=item_of("em", "material"),
        state=lambda w, o: tuple(MaterialRequest.objects.filter(pk=o.pk).values_list("stage")),
    ),
    Endpoint(
        "compound",
        "/console/emergency/affected/{pk}/",
        allowed=SEE,
        forbidden=others(*SEE),
        obj=affected,
    ),
    Endpoint(
        "report",
        "/console/emergency/affected/{pk}/report/",
        method="post",
        body={"on_duty": "3", "note": "平稳"},
        allowed=RESPOND,
        forbidden=others(*RESPOND),
        obj=affected,
        state=_reports,
    ),
    Endpoint(
        "item_done",
        "/console/emergency/items/{pk}/done/",
        method="post",
        body=lambda w, o: {"photo": jpeg(), "note": "ok"},
        allowed=RESPOND,
        forbidden=others(*RESPOND),
        obj=item_of("em", "item"),
        state=lambda w, o: tuple(ChecklistItem.objects.filter(pk=o.pk).values_list("done_at")),
    ),
    Endpoint(
        "photo",
        "/console/emergency/items/{pk}/photo/",
        allowed=SEE,
        forbidden=others(*SEE),
        obj=item_of("em", "done"),
    ),
    Endpoint(
        "roll",
        "/console/emergency/roll/{pk}/",
        method="post",
        body={"answer": "safe"},
        allowed=RESPOND,
        forbidden=others(*RESPOND),
        obj=item_of("em", "person"),
        state=lambda w, o: tuple(RollCallEntry.objects.filter(pk=o.pk).values_list("answer")),
    ),
    Endpoint(
        "after",
        "/console/emergency/affected/{pk}/after/",
        allowed=SEE,
        forbidden=others(*SEE),
        obj=item_of("em", "past_affected"),
    ),
    Endpoint(
        "after_save",
        "/console/emergency/affected/{pk}/after/",
        method="post",
        body={"happened": "经过", "worked": "做法", "improve": "改进", "submit": "0"},
        allowed=AFTER,
        forbidden=others(*AFTER),
        obj=item_of("em", "past_affected"),
        state=lambda w, o: tuple(AfterAction.objects.values_list("pk", "happened", "status")),
    ),
    Endpoint(
        "nominate",
        "/console/emergency/affected/{pk}/nominate/",
        method="post",
        body={"kind": "team", "nominee": "先锋队", "citation": "连夜值守"},
        allowed=AFTER_GOV,
        forbidden=others(*AFTER_GOV),
        obj=item_of("em", "past_affected"),
        state=lambda w, o: Nomination.objects.count(),
    ),
    Endpoint(
        "after_event",
        "/console/emergency/events/{pk}/after/",
        allowed=GOV,
        forbidden=others(*GOV),
        obj=item_of("em", "past"),
    ),
    Endpoint(
        "after_xlsx",
        "/console/emergency/events/{pk}/after.xlsx",
        allowed=GOV,
        forbidden=others(*GOV),
        obj=item_of("em", "past"),
    ),
    Endpoint(
        "after_summary",
        "/console/emergency/events/{pk}/after/",
        method="post",
        body={"summary": "平稳度汛"},
        allowed=GOV,
        forbidden=others(*GOV),
        obj=item_of("em", "past"),
        state=lambda w, o: tuple(Event.objects.filter(pk=o.pk).values_list("summary")),
    ),
    Endpoint(
        "after_review",
        "/console/emergency/after/{pk}/review/",
        method="post",
        body={"decision": "accept"},
        allowed=GOV,
        forbidden=others(*GOV),
        obj=item_of("em", "after"),
        state=lambda w, o: tuple(AfterAction.objects.filter(pk=o.pk).values_list("status")),
    ),
    Endpoint(
        "api_list",
        "/api/v1/emergency/events?status=open",
        api=True,
        allowed=SEE,
        forbidden=others(*SEE),
    ),
    Endpoint(
        "api_open",
        "/api/v1/emergency/events",
        method="post",
        api=True,
        body=lambda w, o: {"kind": "flood", "grade": 2, "title": "x", "compounds": [w.a.pk]},
        allowed=GOV,
        forbidden=others(*GOV),
        state=lambda w, o: Event.objects.count(),
    ),
    Endpoint(
        "api_status",
        "/api/v1/emergency/events/{pk}/status",
        api=True,
        allowed=SEE,
        forbidden=others(*SEE),
        obj=event,
    ),
    Endpoint(
        "api_report",
        "/api/v1/emergency/events/{pk}/reports",
        method="post",
        api=True,
        body={"on_duty": 3, "note": "平稳"},
        allowed=RESPOND,
        forbidden=others(*RESPOND),
        obj=event,
        state=_reports,
    ),
    Endpoint(
        "api_close",
        "/api/v1/emergency/events/{pk}/close",
        method="post",
        api=True,
        allowed=GOV,
        forbidden=others(*GOV),
        obj=event,
        state=_event_state,
        outsider=None,  # a manager may never close: 403 before any lookup
    ),
]


@pytest.mark.parametrize("case", cases("emergency", ENDPOINTS))
def test_tenancy(case, em_world, login, api):
    check(case, em_world, login, api)
