import pytest
import time_machine

from wanjia.care import services
from wanjia.care.models import CarePerson, Visit
from wanjia.core.audit import AuditLog
from wanjia.estates.testing import make_resident

from .conftest import DAY, at

pytestmark = pytest.mark.django_db


def test_caretaker_today_page_and_one_tap(care, login):
    client = login(care.staff_a)
    with time_machine.travel(at(9), tick=False):
        r = client.get("/h5/care/")
        assert r.status_code == 200
        html = r.content.decode()
        assert "张伟" in html and "李娜" not in html
        assert "门口报纸是否取走" in html
        r = client.post(f"/h5/care/visits/{care.v1.pk}/outcome/", {"outcome": "well", "note": "好"})
        assert r.status_code == 302
    assert Visit.objects.get(pk=care.v1.pk).outcome == "well"


def test_today_page_before_six_is_empty_and_after_six_has_visits(world, login):
    from .conftest import build_care

    build_care(world)
    tomorrow = DAY.replace(day=11)
    client = login(world.staff_a)
    with time_machine.travel(at(5, 59, tomorrow), tick=False):
        services.visits_generate_due()
        assert 'data-testid="no-visits"' in client.get("/h5/care/").content.decode()
    with time_machine.travel(at(6, 1, tomorrow), tick=False):
        services.visits_generate_due()
        assert 'data-testid="care-visit"' in client.get("/h5/care/").content.decode()


def test_after_the_cut_off_a_missed_visit_is_not_counted_as_recorded(care, login):
    """Past the cut-off an unrecorded visit becomes an escalation: the phone and
    the today card say so, and never count it among those recorded."""
    from wanjia.core.today import cards_for

    client = login(care.staff_a)
    with time_machine.travel(at(9), tick=False):
        html = client.get("/h5/care/").content.decode()
        assert 'data-testid="missed-count"' not in html
    with time_machine.travel(at(20, 30), tick=False):
        services.escalations_sweep()
        html = client.get("/h5/care/").content.decode()
        card = next(c for c in cards_for(care.staff_a) if c.url.endswith("/h5/care/"))
    assert "已记录 0 户" in html
    assert 'data-testid="missed-count"' in html and "1 户逾期未记录" in html
    assert card.status == "overdue" and card.detail.startswith("已记录 0 / 1")


def test_volunteer_sees_only_assigned_with_health_masked(care, login):
    client = login(care.volunteer_a)
    with time_machine.travel(at(9), tick=False):
        html = client.get("/h5/care/").content.decode()
    assert "李娜" in html and "张伟" not in html
    r = client.get(f"/h5/care/visits/{care.v2.pk}/")
    assert r.status_code == 200
    html = r.content.decode()
    assert 'data-testid="health-masked"' in html and "糖尿病" not in html
    assert "139****3333" in html and "13922223333" not in html
    assert client.get(f"/h5/care/visits/{care.v1.pk}/").status_code == 404


def test_staff_reads_health_audited_and_reveals_contact(care, login):
    client = login(care.staff_a)
    html = client.get(f"/h5/care/visits/{care.v1.pk}/").content.decode()
    assert "高血压" in html and "139****2222" in html
    assert AuditLog.objects.filter(action="care.health.read", actor=care.staff_a).count() == 1
    r = client.post(f"/h5/care/visits/{care.v1.pk}/reveal/0/", HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "13911112222" in r.content.decode()
    assert AuditLog.objects.filter(action="care.contact.revealed").count() == 1


def test_outcome_page_bad_input_is_422(care, login):
    r = login(care.staff_a).post(f"/h5/care/visits/{care.v1.pk}/outcome/", {"outcome": "x"})
    assert r.status_code == 422
    assert "请选择探访结果" in r.content.decode()


def test_manager_adds_person_with_field_errors(care, login):
    spare = make_resident(care.home, "赵大爷", lives_alone=True)
    client = login(care.manager_a)
    r = client.post(
        f"/console/care/c/{care.a.pk}/",
        {"resident": str(spare.pk), "reason": "alone", "level": "custom", "custom_days": "0"},
    )
    assert r.status_code == 422 and "自定义间隔" in r.content.decode()
    assert not CarePerson.objects.filter(resident=spare).exists()
    r = client.post(
        f"/console/care/c/{care.a.pk}/",
        {
            "resident": str(spare.pk),
            "reason": "alone",
            "level": "weekly",
            "caretakers": [str(care.staff_a.pk)],
            "contact_name_0": "赵小",
            "contact_phone_0": "13700001111",
        },
    )
    assert r.status_code == 302
    person = CarePerson.objects.get(resident=spare)
    assert person.primary == care.staff_a and person.contacts[0]["phone"] == "13700001111"


def test_manager_edit_keeps_masked_phone(care, login):
    client = login(care.manager_a)
    r = client.get(f"/console/care/people/{care.p1.pk}/")
    assert r.status_code == 200 and "139****2222" in r.content.decode()
    r = client.post(
        f"/console/care/people/{care.p1.pk}/",
        {
            "reason": "alone",
            "level": "daily",
            "active": "1",
            "caretakers": [str(care.staff_a.pk)],
            "contact_name_0": "张小明",
            "contact_phone_0": "139****2222",
            "health_notes": "高血压",
        },
    )
    assert r.status_code == 302
    assert CarePerson.objects.get(pk=care.p1.pk).contacts[0]["phone"] == "13911112222"


def test_console_pages_render(care, login):
    services.escalation_open(visit=care.v1, at=at(9))
    client = login(care.manager_a)
    for url in (
        f"/console/care/c/{care.a.pk}/?level=daily&reason=alone&q=张",
        f"/console/care/c/{care.a.pk}/today/?date=2026-03-10",
        f"/console/care/c/{care.a.pk}/escalations/",
    ):
        r = client.get(url)
        assert r.status_code == 200, url
    html = client.get(f"/console/care/c/{care.a.pk}/escalations/").content.decode()
    assert 'data-testid="care-escalation"' in html
