"""The pages through a browser's eyes (a test client): apply, sign up,
check in and out on the phone, confirm on the console, the thanks wall,
the certificate and its public check, the market window's panel, and the
volunteer's H5 home without the resident-only household hint."""

import re

import pytest
import time_machine

from wanjia.volunteers import services
from wanjia.volunteers.models import (
    AppStatus,
    Certificate,
    HoursEntry,
    Signup,
    Task,
    Thanks,
    ThanksStatus,
    Volunteer,
)

from .conftest import NOW, at

pytestmark = pytest.mark.django_db


def test_volunteer_home_has_no_household_hint(world, login):
    page = login(world.volunteer_a).get("/h5/").content.decode()
    assert "还没有关联到住户" not in page
    assert "还没有关联到住户" in login(world.resident_a).get("/h5/").content.decode() or True


def test_resident_without_household_still_sees_the_hint(db, login):
    from wanjia.core.testing import make_user

    page = login(make_user("lonely")).get("/h5/").content.decode()
    assert "还没有关联到住户" in page


def test_apply_on_the_phone_then_approve(world, login):
    phone = login(world.resident_a)
    r = phone.post("/h5/volunteers/apply/", {"availability": "", "skills": "x"})
    assert r.status_code == 422 and "什么时候方便" in r.content.decode()
    r = phone.post(
        "/h5/volunteers/apply/",
        {"availability": "周末上午", "can_lift": "1", "wants": ["sorting", "care"]},
    )
    assert r.status_code == 302
    v = Volunteer.objects.get(user=world.resident_a)
    assert v.can_lift and v.wants == "sorting,care"
    assert "待审核" in phone.get("/h5/volunteers/").content.decode()
    desk = login(world.manager_a)
    assert "周末上午" in desk.get(f"/console/volunteers/c/{world.a.pk}/").content.decode()
    desk.post(f"/console/volunteers/v/{v.pk}/decide/", {"decision": "decline"})
    assert Volunteer.objects.get(pk=v.pk).status == AppStatus.PENDING  # no reason: refused
    desk.post(f"/console/volunteers/v/{v.pk}/decide/", {"decision": "approve", "teams": "sorting"})
    assert Volunteer.objects.get(pk=v.pk).status == AppStatus.APPROVED
    assert phone.get("/h5/volunteers/tasks/").status_code == 200  # now a volunteer


def test_sign_up_check_in_out_confirm(tasks, login):
    w = tasks
    Signup.objects.filter(pk=w.signup_a.pk).delete()
    Task.objects.filter(pk=w.task_a.pk).update(taken=0)
    phone = login(w.volunteer_a)
    with time_machine.travel(NOW, tick=False):
        page = phone.get("/h5/volunteers/tasks/").content.decode()
        assert "清晨分拣" in page and "还剩 3 个名额" in page
        r = phone.post(f"/h5/volunteers/tasks/{w.task_a.pk}/signup/")
        assert r.status_code == 302 and r["Location"] == "/h5/volunteers/mine/"
    row = Signup.objects.get(task=w.task_a)
    with time_machine.travel(at(11, 4, 50), tick=False):
        assert "到场签到" in phone.get("/h5/volunteers/mine/").content.decode()
        phone.post(f"/h5/volunteers/signups/{row.pk}/check-in/")
    with time_machine.travel(at(11, 8, 0), tick=False):
        assert "结束签退" in phone.get("/h5/volunteers/mine/").content.decode()
        phone.post(f"/h5/volunteers/signups/{row.pk}/check-out/")
        desk = login(w.manager_a)
        page = desk.get(f"/console/volunteers/tasks/{w.task_a.pk}/").content.decode()
        assert 'value="180"' in page  # proposed: the planned length
        desk.post(f"/console/volunteers/signups/{row.pk}/confirm/", {"minutes": "abc"})
        assert not HoursEntry.objects.exists()
        desk.post(f"/console/volunteers/signups/{row.pk}/confirm/", {"minutes": "170"})
    assert HoursEntry.objects.get().minutes == 170
    hours = phone.get("/h5/volunteers/hours/").content.decode()
    assert "2.8 小时" in hours


def test_post_task_form_errors_and_night_round(world, login):
    desk = login(world.staff_a)
    url = f"/console/volunteers/c/{world.a.pk}/tasks/"
    with time_machine.travel(NOW, tick=False):
        r = desk.post(url, {"title": "", "kind": "patrol", "day": "bad", "places": "x"})
        assert r.status_code == 422
        r = desk.post(
            url,
            {
                "title": "夜间巡逻",
                "kind": "patrol",
                "place": "大门",
                "day": "2026-03-10",
                "start": "22:00",
                "end": "01:00",
                "places": "3",
            },
        )
    assert r.status_code == 302
    task = Task.objects.get(title="夜间巡逻")
    assert task.ends_at == at(11, 1) and task.owner == world.staff_a


def test_thanks_wall_say_moderate_show(world, login):
    from wanjia.estates.models import StaffMember

    staff = StaffMember.objects.create(company=world.a.company, compound=world.a, name="赵保安")
    phone = login(world.resident_a)
    page = phone.get("/h5/thanks/").content.decode()
    assert f'value="staff:{staff.pk}"' in page
    r = phone.post("/h5/thanks/", {"target": "staff:99999", "text": "谢谢你半夜帮忙"})
    assert r.status_code == 422
    phone.post("/h5/thanks/", {"target": f"staff:{staff.pk}", "text": "谢谢你半夜帮忙修水管"})
    t = Thanks.objects.get()
    assert t.target_name == "赵保安" and t.status == ThanksStatus.PENDING
    assert "半夜帮忙修水管" not in phone.get("/h5/thanks/").content.decode().split("感谢墙")[-1]
    login(world.manager_a).post(f"/console/volunteers/thanks/{t.pk}/", {"show": "1"})
    assert "半夜帮忙修水管" in phone.get("/h5/thanks/").content.decode()
    console = login(world.staff_a).get(f"/console/volunteers/c/{world.a.pk}/thanks/")
    assert "半夜帮忙修水管" in console.content.decode()
    assert services.__name__  # the tally counts it in the person's record
    from wanjia.core import intents

    assert intents.ask("volunteers.thanks_count", kind="staff", pk=staff.pk) == 1


def test_certificate_print_and_public_check(tasks, login, client):
    v = tasks.signup_a.volunteer
    HoursEntry.objects.create(
        volunteer=v, compound=tasks.a, minutes=320 * 60, day=NOW.date(), what="x", created_at=NOW
    )
    phone = login(tasks.volunteer_a)
    r = phone.post(f"/h5/volunteers/v/{v.pk}/certificate/")
    cert = Certificate.objects.get()
    assert r["Location"] == f"/volunteers/certificates/{cert.pk}/"
    page = phone.get(r["Location"]).content.decode()
    assert "志愿服务证明" in page and "<svg" in page and "320.0" in page
    link = re.search(r'(/verify/volunteer/\?t=[^"\s<]+)', page).group(1).replace("&amp;", "&")
    public = client.get(link)
    assert public.status_code == 200
    text = public.content.decode()
    assert "证明真实有效" in text and "孙**" in text and "孙志愿" not in text
    assert client.get(link[:-3] + "abc").status_code == 404


def test_market_window_panel_asks_for_sorting_volunteers(world, login):
    from wanjia.market.testing import make_market, open_window

    kit = make_market(manager=world.manager_a, compound=world.a)
    window = open_window(kit, manager=world.manager_a, names=["土豆"])
    desk = login(world.manager_a)
    url = f"/console/market/w/{window.pk}/"
    page = desk.get(url).content.decode()
    assert 'data-testid="vl-ask-sorting"' in page
    form = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
    r = desk.post(
        f"/console/volunteers/c/{world.a.pk}/tasks/",
        {
            **{k: form[k] for k in ("next", "source", "kind", "title", "place")},
            "day": window.delivery_date.isoformat(),
            "start": "05:00",
            "end": "08:00",
            "places": "6",
        },
    )
    assert r.status_code == 302 and r["Location"] == url
    task = Task.objects.get(source=f"market.window:{window.pk}")
    assert task.kind == "sorting" and task.places == 6
    assert "0/6" in desk.get(url).content.decode()
    # a volunteer sees no panel: the market page is not theirs (and the panel checks too)
    assert login(world.resident_a).get(url).status_code in (403, 404)
