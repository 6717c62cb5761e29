"""Exemplary cases: nominate from a registered record, review (return for
more, reject with a reason, select), publish and take down; every step
audited and notified; the public answer holds nothing private; a selected
case is good-conduct evidence for its company in the period it was selected."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from wanjia.core import conduct
from wanjia.core.errors import Conflict, Forbidden, Invalid
from wanjia.core.models import AuditLog, Notification
from wanjia.supervision.exemplary import services
from wanjia.supervision.exemplary.models import CasePhoto, CaseStatus, ExemplaryCase

from .exemplary_support import FORM, deed, jpeg, registered

pytestmark = pytest.mark.django_db
NOW = timezone.make_aware(datetime(2026, 9, 15, 10, 0))


@pytest.fixture(autouse=True)
def _source():
    yield from registered()


def _nominate(w, user=None, key=None, **more):
    return services.nominate(actor=user or w.manager_a, key=key or deed(w.a), **{**FORM, **more})


def test_nominate_review_select_publish(world):
    w = world
    with time_machine.travel(NOW, tick=False):
        case = _nominate(w, photos=[jpeg(), jpeg("b.png")])
    assert case.status == CaseStatus.SUBMITTED
    assert (case.compound, case.company) == (w.a, w.a.company)
    assert case.source_kind == "test.deed" and case.happened_on == date(2026, 9, 15)
    assert CasePhoto.objects.filter(case=case).count() == 2
    assert Notification.objects.filter(
        recipient=w.regulator, kind="supervision.exemplary.nominated"
    ).exists()
    # returned for more, completed, sent again
    services.review(actor=w.regulator, case=case, decision="return", note="请补充照片")
    case.refresh_from_db()
    assert case.status == CaseStatus.RETURNED and case.review_note == "请补充照片"
    assert Notification.objects.filter(
        recipient=w.manager_a, kind="supervision.exemplary.reviewed"
    ).exists()
    services.resubmit(actor=w.manager_a, case=case, **{**FORM, "citation": "补充：共转移12人。"})
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED and case.citation == "补充：共转移12人。"
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        services.review(actor=w.regulator, case=case, decision="select")
    case.refresh_from_db()
    assert case.status == CaseStatus.SELECTED and case.selected_at
    with pytest.raises(Conflict):  # decided once
        services.review(actor=w.regulator, case=case, decision="reject", note="x")
    services.publish(actor=w.regulator, case=case)
    case.refresh_from_db()
    assert case.status == CaseStatus.PUBLISHED and case.published_at
    with pytest.raises(Conflict):
        services.publish(actor=w.regulator, case=case)
    services.unpublish(actor=w.regulator, case=case)
    case.refresh_from_db()
    assert case.status == CaseStatus.SELECTED and case.published_at is None
    actions = list(
        AuditLog.objects.filter(action__startswith="supervision.exemplary.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "supervision.exemplary.nominated",
        "supervision.exemplary.returned",
        "supervision.exemplary.resubmitted",
        "supervision.exemplary.selected",
        "supervision.exemplary.published",
        "supervision.exemplary.unpublished",
    ]


def test_reject_needs_a_reason_and_frees_the_record(world):
    w = world
    key = deed(w.a)
    case = _nominate(w, key=key)
    with pytest.raises(Invalid) as exc:
        services.review(actor=w.regulator, case=case, decision="reject", note=" ")
    assert set(exc.value.errors) == {"note"}
    with pytest.raises(Invalid) as exc:
        services.review(actor=w.regulator, case=case, decision="crown")
    assert set(exc.value.errors) == {"decision"}
    with pytest.raises(Invalid) as exc:  # one live nomination per record
        _nominate(w, user=w.company_admin_a, key=key)
    assert set(exc.value.errors) == {"source"}
    services.review(actor=w.regulator, case=case, decision="reject", note="事迹不够突出")
    again = _nominate(w, user=w.company_admin_a, key=key)
    assert again.status == CaseStatus.SUBMITTED


def test_bad_input_is_field_level_and_writes_nothing(world):
    w = world
    bad = {"title": "", "people": "x" * 101, "citation": "联系电话 138 1234 5678"}
    with pytest.raises(Invalid) as exc:
        services.nominate(actor=w.manager_a, key=deed(w.a), **bad)
    assert set(exc.value.errors) == {"title", "people", "citation"}
    assert "手机号" in exc.value.errors["citation"][0]
    with pytest.raises(Invalid) as exc:
        services.nominate(
            actor=w.manager_a, key=deed(w.a), **{**FORM, "people": "张三 11010519491231002X"}
        )
    assert set(exc.value.errors) == {"people"}
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(Invalid) as exc:
        _nominate(w, photos=[SimpleUploadedFile("x.jpg", b"<script>", content_type="image/jpeg")])
    assert set(exc.value.errors) == {"photos"}
    with pytest.raises(Invalid) as exc:
        _nominate(w, photos=[jpeg() for _ in range(4)])
    assert set(exc.value.errors) == {"photos"}
    for key in ("", "test.deed:abc", "nothing:1", "test.deed:99999999"):
        with pytest.raises(Invalid) as exc:
            services.nominate(actor=w.manager_a, key=key, **FORM)
        assert set(exc.value.errors) == {"source"}
    assert not ExemplaryCase.objects.exists() and not CasePhoto.objects.exists()


def test_who_may_do_what(world):
    w = world
    # another compound's record is answered like a missing one
    with pytest.raises(Invalid) as exc:
        services.nominate(actor=w.outsider_b, key=deed(w.a), **FORM)
    assert set(exc.value.errors) == {"source"}
    for user in (w.staff_a, w.resident_a, w.leader_a, w.volunteer_a):
        with pytest.raises(Forbidden):
            services.nominate(actor=user, key=deed(w.a), **FORM)
    for user in (w.manager_a, w.secretary_a, w.company_admin_a):
        assert not _nominate(w, user=user).by_regulator
    case = _nominate(w, user=w.regulator)
    assert case.by_regulator
    for user in (w.manager_a, w.company_admin_a, w.outsider_b):
        with pytest.raises(Forbidden):
            services.review(actor=user, case=case, decision="select")
    with pytest.raises(Forbidden):
        services.publish(actor=w.manager_a, case=case)
    with pytest.raises(Conflict):  # only a returned one is edited
        services.resubmit(actor=w.manager_a, case=case, **FORM)


def test_selected_cases_are_good_conduct_evidence(world, settings):
    w = world
    rule = conduct.rule(services.RULE)
    assert rule.kind == conduct.GOOD and rule.app == "supervision"
    with time_machine.travel(NOW, tick=False):
        selected = _nominate(w)
        published = _nominate(w)
        waiting = _nominate(w)
        rejected = _nominate(w)
        services.review(actor=w.regulator, case=selected, decision="select")
        services.review(actor=w.regulator, case=published, decision="select")
        services.publish(actor=w.regulator, case=published)
        services.review(actor=w.regulator, case=rejected, decision="reject", note="不足")
    with time_machine.travel(NOW + timedelta(days=30), tick=False):
        later = _nominate(w)
        services.review(actor=w.regulator, case=later, decision="select")
    company = w.a.company_id
    found = rule.collect([company], date(2026, 9, 1), date(2026, 9, 30))
    assert {e.ref for e in found} == {
        f"supervision.exemplary:{selected.pk}",
        f"supervision.exemplary:{published.pk}",
    }
    assert all(e.points == services.DEFAULT_POINTS and e.rule == services.RULE for e in found)
    assert all(e.company_id == company and e.compound_id == w.a.pk for e in found)
    assert found[0].url == f"/gov/exemplary/{selected.pk}/"
    assert found[0].happened_on == date(2026, 9, 15)
    assert waiting.pk not in {int(e.ref.rsplit(":")[1]) for e in found}
    assert rule.collect([w.b.company_id], date(2026, 9, 1), date(2026, 9, 30)) == []
    settings.WANJIA_EXEMPLARY_POINTS = 3
    assert [e.points for e in rule.collect([company], date(2026, 10, 1), date(2026, 10, 31))] == [
        3.0
    ]
    assert "3" in str(rule.note)
