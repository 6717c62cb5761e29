"""Shared set-up for the inspections area's tests: a checklist of the city,
a finished inspection of a compound with a finding and its photo, and a
rectification notice."""

from datetime import datetime, timedelta
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from wanjia.supervision.inspections import services
from wanjia.supervision.inspections.models import Outcome

NOW = timezone.make_aware(datetime(2026, 7, 14, 10, 0))  # a Tuesday morning


def jpeg(name="p.jpg", colour="red"):
    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def pdf(name="a.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")


def checklist(world):
    return services.template_save(
        actor=world.regulator,
        name="物业服务检查表",
        entries=[("消防", "消防通道畅通"), ("环境", "垃圾日产日清"), ("安保", "门岗有人值守")],
    )


def inspected(world, compound=None, *, deadline_days=7):
    """A finished inspection of ``compound`` (A by default) with one failed
    item, its finding (one photo) and a rectification notice."""
    compound = compound or world.a
    template = checklist(world)
    ins = services.inspection_plan(
        actor=world.regulator,
        compound=compound,
        template=template,
        planned_on=timezone.localdate(),
    )
    ins = services.inspection_start(actor=world.regulator, inspection=ins)
    results = list(ins.results.all())
    services.result_record(
        actor=world.regulator, result=results[0], outcome=Outcome.FAIL, note="堆放杂物"
    )
    for r in results[1:]:
        services.result_record(actor=world.regulator, result=r, outcome=Outcome.PASS)
    finding = services.finding_add(
        actor=world.regulator,
        inspection=ins,
        text="3号楼消防通道堆放杂物",
        photos=[jpeg()],
        result=results[0],
    )
    services.inspection_finish(actor=world.regulator, inspection=ins, summary="基本合格")
    rect = services.rectification_issue(
        actor=world.regulator,
        finding=finding,
        requirement="清理杂物",
        deadline=timezone.localdate() + timedelta(days=deadline_days),
    )
    return ins, finding, rect
