"""The inspection's life: a checklist (versioned), an inspection item by
item, a finding with its photo, a rectification notice, the company's
evidence, the authority's acceptance or rejection; every step audited; bad
input refused field by field with nothing changed."""

from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from wanjia.core.errors import Conflict, Forbidden, Invalid
from wanjia.core.models import AuditLog, Notification
from wanjia.supervision.inspections import services
from wanjia.supervision.inspections.models import (
    Finding,
    Inspection,
    Rectification,
    RectificationEvidence,
    RectStatus,
)

from .inspections_helpers import NOW, checklist, inspected, jpeg

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_template_edit_bumps_version_and_started_inspection_keeps_its_items(world):
    template = checklist(world)
    ins = services.inspection_plan(
        actor=world.regulator, compound=world.a, template=template, planned_on=NOW.date()
    )
    services.inspection_start(actor=world.regulator, inspection=ins)
    services.template_save(
        actor=world.regulator, name="新表", entries=[("新", "只有一项")], template=template
    )
    template.refresh_from_db()
    assert template.version == 2
    assert template.entries.count() == 1
    assert [r.text for r in ins.results.all()] == ["消防通道畅通", "垃圾日产日清", "门岗有人值守"]
    assert Inspection.objects.get(pk=ins.pk).template_version == 1


def test_full_flow_accept(world):
    ins, finding, rect = inspected(world)
    ins.refresh_from_db()
    assert ins.status == "finished"
    assert finding.photos.count() == 1
    # the company admin and the compound's manager are told
    assert Notification.objects.filter(recipient=world.company_admin_a).exists()
    assert Notification.objects.filter(recipient=world.manager_a).exists()
    assert not Notification.objects.filter(recipient=world.outsider_b).exists()
    services.evidence_submit(
        actor=world.manager_a, rectification=rect, text="已清理", photos=[jpeg(), jpeg()]
    )
    rect.refresh_from_db()
    assert rect.status == RectStatus.SUBMITTED
    with pytest.raises(Conflict):
        services.evidence_submit(
            actor=world.manager_a, rectification=rect, text="再交", photos=[jpeg()]
        )
    services.rectification_decide(actor=world.regulator, rectification=rect, accept=True)
    rect.refresh_from_db()
    assert rect.status == RectStatus.ACCEPTED
    codes = set(AuditLog.objects.values_list("action", flat=True))
    assert {
        "supervision.checklist.created",
        "supervision.inspection.planned",
        "supervision.inspection.started",
        "supervision.inspection.item",
        "supervision.finding.added",
        "supervision.inspection.finished",
        "supervision.rectification.issued",
        "supervision.rectification.submitted",
        "supervision.rectification.accepted",
    } <= codes


def test_reject_reopens_with_new_deadline(world):
    _, _, rect = inspected(world)
    services.evidence_submit(
        actor=world.company_admin_a, rectification=rect, text="已清理", photos=[jpeg()]
    )
    with pytest.raises(Invalid) as exc:
        services.rectification_decide(actor=world.regulator, rectification=rect, accept=False)
    assert "reason" in exc.value.errors
    new = NOW.date() + timedelta(days=10)
    services.rectification_decide(
        actor=world.regulator, rectification=rect, accept=False, reason="仍有杂物", deadline=new
    )
    rect.refresh_from_db()
    assert rect.status == RectStatus.OPEN
    assert rect.deadline == new and rect.reject_reason == "仍有杂物"
    assert RectificationEvidence.objects.get(rectification=rect).decision == "rejected"
    # it may be answered again
    services.evidence_submit(
        actor=world.manager_a, rectification=rect, text="第二次", photos=[jpeg()]
    )


def test_finish_needs_every_item(world):
    template = checklist(world)
    ins = services.inspection_plan(
        actor=world.regulator, compound=world.a, template=template, planned_on=NOW.date()
    )
    services.inspection_start(actor=world.regulator, inspection=ins)
    with pytest.raises(Invalid) as exc:
        services.inspection_finish(actor=world.regulator, inspection=ins)
    assert "summary" in exc.value.errors
    assert Inspection.objects.get(pk=ins.pk).status == "underway"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"outcome": "maybe"}, "outcome"),
        ({"outcome": "fail", "note": ""}, "note"),
        ({"outcome": "pass", "note": "x" * 301}, "note"),
    ],
)
def test_bad_item_is_refused_by_field(world, kwargs, field):
    template = checklist(world)
    ins = services.inspection_plan(
        actor=world.regulator, compound=world.a, template=template, planned_on=NOW.date()
    )
    services.inspection_start(actor=world.regulator, inspection=ins)
    result = ins.results.first()
    with pytest.raises(Invalid) as exc:
        services.result_record(actor=world.regulator, result=result, **kwargs)
    assert field in exc.value.errors
    result.refresh_from_db()
    assert result.outcome == ""


def test_photos_are_checked_and_reencoded(world):
    template = checklist(world)
    ins = services.inspection_plan(
        actor=world.regulator, compound=world.a, template=template, planned_on=NOW.date()
    )
    services.inspection_start(actor=world.regulator, inspection=ins)
    fake = SimpleUploadedFile("evil.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")
    with pytest.raises(Invalid) as exc:
        services.finding_add(actor=world.regulator, inspection=ins, text="x", photos=[fake])
    assert "photos" in exc.value.errors
    assert not Finding.objects.exists()
    from io import BytesIO

    from PIL import Image

    png = BytesIO()
    Image.new("RGB", (20, 20), "blue").save(png, "PNG")
    finding = services.finding_add(
        actor=world.regulator,
        inspection=ins,
        text="x",
        photos=[SimpleUploadedFile("a.png", png.getvalue(), content_type="image/png")],
    )
    stored = finding.photos.get().photo.read()
    assert stored.startswith(b"\xff\xd8\xff")  # re-encoded as JPEG
    with pytest.raises(Invalid):
        services.finding_add(
            actor=world.regulator, inspection=ins, text="x", photos=[jpeg() for _ in range(7)]
        )


def test_wrong_people_cannot_act(world):
    template = checklist(world)
    with pytest.raises(Forbidden):
        services.inspection_plan(
            actor=world.manager_a, compound=world.a, template=template, planned_on=NOW.date()
        )
    _, _, rect = inspected(world)
    with pytest.raises(Forbidden):
        services.evidence_submit(
            actor=world.outsider_b, rectification=rect, text="x", photos=[jpeg()]
        )
    with pytest.raises(Forbidden):
        services.rectification_decide(actor=world.manager_a, rectification=rect, accept=True)
    assert Rectification.objects.get(pk=rect.pk).status == RectStatus.OPEN


def test_rectification_deadline_in_past_refused(world):
    _, finding, _ = inspected(world)
    before = Rectification.objects.count()
    with pytest.raises(Invalid) as exc:
        services.rectification_issue(
            actor=world.regulator,
            finding=finding,
            requirement="x",
            deadline=timezone.localdate() - timedelta(days=1),
        )
    assert "deadline" in exc.value.errors
    assert Rectification.objects.count() == before
