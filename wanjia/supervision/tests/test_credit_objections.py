"""Objections and repair: a company admin contests a deduction with evidence,
the authority decides within the set time; upheld, the item stops counting and
the score is recomputed; a rectified fault's points come back after the
stated period. Every step audited, both sides notified."""

from datetime import date, timedelta
from io import BytesIO

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from wanjia.core.errors import Conflict, Forbidden, Invalid
from wanjia.core.models import AuditLog, Notification
from wanjia.supervision.credit import services
from wanjia.supervision.credit.models import CreditScore, Objection

from . import credit_helpers
from .credit_helpers import EVIDENCE, bad

rules_under_test = credit_helpers.rules_under_test  # the fixture

NOW = timezone.make_aware(timezone.datetime(2026, 3, 20, 10, 0))
DAY = date(2026, 3, 10)


@pytest.fixture
def scored(world, request):
    request.getfixturevalue("rules_under_test")
    with time_machine.travel(NOW, tick=False):
        EVIDENCE.extend([bad(world.a.company, 4, DAY, n, compound=world.a) for n in (1, 2)])
        services.scores_compute("2026-03")
        yield world


def _score(world):
    return CreditScore.objects.get(company=world.a.company, period="2026-03")


def _item(world, n=1):
    return _score(world).items.get(ref=f"test.record:{world.a.company.pk}:{n}")


def _png():
    out = BytesIO()
    Image.new("RGB", (20, 20), "red").save(out, "PNG")
    return SimpleUploadedFile("proof.png", out.getvalue(), content_type="image/png")


def test_upheld_objection_stops_the_deduction(scored):
    w = scored
    assert _score(w).score == 72
    o = services.objection_lodge(
        actor=w.company_admin_a,
        item=_item(w),
        kind="contest",
        text="该工单系居民撤回",
        upload=_png(),
    )
    assert o.status == "pending" and o.file.name.endswith(".jpg")
    assert o.due_at == NOW + timedelta(days=10)
    assert Notification.objects.filter(recipient=w.regulator, kind="supervision.credit.objection")
    services.objection_decide(actor=w.regulator, objection=o, upheld=True, reason="核实属实")
    score = _score(w)
    assert (score.bad, score.score) == (4, 76)
    item = _item(w)
    assert (item.counted, item.why_not) == (0, "objection")
    assert round(sum(i.counted for i in score.items.all()), 2) == score.bad
    assert Notification.objects.filter(
        recipient=w.company_admin_a, kind="supervision.credit.decided"
    ).exists()
    actions = list(AuditLog.objects.filter(action__startswith="supervision.credit.objection"))
    assert len(actions) == 2
    with pytest.raises(Conflict):
        services.objection_decide(actor=w.regulator, objection=o, upheld=False, reason="再议")


def test_rejected_objection_keeps_the_deduction(scored):
    w = scored
    o = services.objection_lodge(
        actor=w.company_admin_a, item=_item(w), kind="contest", text="不认可扣分"
    )
    services.objection_decide(actor=w.regulator, objection=o, upheld=False, reason="证据不足")
    o.refresh_from_db()
    assert o.status == "rejected"
    assert _score(w).score == 72


def test_repair_restores_points_after_the_stated_period(scored):
    w = scored
    with time_machine.travel(NOW, tick=False):
        o = services.objection_lodge(
            actor=w.company_admin_a, item=_item(w, 2), kind="repair", text="已整改完毕并复查"
        )
        services.objection_decide(actor=w.regulator, objection=o, upheld=True, reason="整改到位")
        o.refresh_from_db()
        assert o.restores_on == date(2026, 4, 19)
        services.scores_compute("2026-03")
        assert _score(w).score == 72  # not yet
    with time_machine.travel(NOW + timedelta(days=30), tick=False):
        services.scores_run()  # the restoration falls due today: March recomputed
        score = _score(w)
        assert (score.score, _item(w, 2).why_not) == (76, "restored")


def test_bad_objections_change_nothing(scored):
    w = scored
    with pytest.raises(Invalid) as err:
        services.objection_lodge(actor=w.company_admin_a, item=_item(w), kind="contest", text="短")
    assert set(err.value.errors) == {"text"}
    with pytest.raises(Invalid) as err:
        services.objection_lodge(
            actor=w.company_admin_a, item=_item(w), kind="x", text="理由充分的说明"
        )
    assert set(err.value.errors) == {"kind"}
    fake = SimpleUploadedFile("a.png", b"not an image at all", content_type="image/png")
    with pytest.raises(Invalid) as err:
        services.objection_lodge(
            actor=w.company_admin_a,
            item=_item(w),
            kind="contest",
            text="理由充分的说明",
            upload=fake,
        )
    assert set(err.value.errors) == {"file"}
    with pytest.raises(Forbidden):
        services.objection_lodge(
            actor=w.outsider_b, item=_item(w), kind="contest", text="理由充分的说明"
        )
    assert not Objection.objects.exists()
    services.objection_lodge(
        actor=w.company_admin_a, item=_item(w), kind="contest", text="理由充分的说明"
    )
    with pytest.raises(Conflict):
        services.objection_lodge(
            actor=w.company_admin_a, item=_item(w), kind="contest", text="再提一次异议"
        )
    assert Objection.objects.count() == 1


def test_decision_needs_a_reason_and_the_authority(scored):
    w = scored
    o = services.objection_lodge(
        actor=w.company_admin_a, item=_item(w), kind="contest", text="不认可扣分"
    )
    with pytest.raises(Invalid):
        services.objection_decide(actor=w.regulator, objection=o, upheld=True, reason=" ")
    with pytest.raises(Forbidden):
        services.objection_decide(
            actor=w.company_admin_a, objection=o, upheld=True, reason="自己采纳"
        )
    o.refresh_from_db()
    assert o.status == "pending"


def test_overdue_decisions_show(scored, login):
    w = scored
    with time_machine.travel(NOW, tick=False):
        o = services.objection_lodge(
            actor=w.company_admin_a, item=_item(w), kind="contest", text="不认可扣分"
        )
    with time_machine.travel(NOW + timedelta(days=11), tick=False):
        assert Objection.objects.get(pk=o.pk).overdue
        page = login(w.regulator).get("/credit/objections/?status=pending")
        assert "已超期" in page.content.decode()
