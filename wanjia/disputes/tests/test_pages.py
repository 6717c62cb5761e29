"""The pages: the board, a case with htmx actions, the resident's report,
the printable agreement, sweeps, figures, time limits."""

from wanjia.core.models import Notification
from wanjia.disputes import services
from wanjia.disputes.models import Case, Policy, Sweep

HX = {"HTTP_HX_REQUEST": "true"}


def test_resident_reports_on_the_phone(world, login):
    client = login(world.resident_a)
    page = client.get("/h5/disputes/report/")
    assert page.status_code == 200
    assert "1单元102" in page.content.decode()  # the neighbours to pick from
    bad = client.post("/h5/disputes/report/", {"category": "leak", "summary": ""}, **HX)
    assert bad.status_code == 422 and "请填写情况描述" in bad.content.decode()
    ok = client.post(
        "/h5/disputes/report/",
        {"category": "leak", "summary": "楼上漏水到我家", "other": world.other_home.pk},
        **HX,
    )
    assert ok.status_code == 200 and "已提交" in ok.content.decode()
    case = Case.objects.get()
    assert (case.source, case.level, case.mediator) == ("resident", "building", world.leader_a)
    assert Notification.objects.filter(recipient=world.leader_a, kind="disputes.opened").exists()
    mine = client.get("/h5/disputes/").content.decode()
    assert "漏水渗水" in mine
    detail = client.get(f"/h5/disputes/{case.pk}/").content.decode()
    assert "陈楼长" in detail


def test_leader_mediates_and_resolves_in_place(world, login, leak):
    case = leak()
    client = login(world.leader_a)
    board = client.get("/console/disputes/").content.decode()
    assert f"/console/disputes/{case.pk}/" in board
    r = client.post(f"/console/disputes/{case.pk}/session/", {"notes": ""}, **HX)
    assert r.status_code == 422 and "请填写调解记录" in r.content.decode()
    r = client.post(
        f"/console/disputes/{case.pk}/session/",
        {"notes": "双方到场，同意修补防水", "attendees": "张伟、李娜"},
        **HX,
    )
    assert r.status_code == 200 and "调解记录已保存" in r.content.decode()
    assert r.content.decode().startswith('<div id="case"')  # the panel, not a page
    r = client.post(
        f"/console/disputes/{case.pk}/resolve/",
        {"resolution": "楼上修好防水", "agreement": "一、楼上负责修复。"},
        **HX,
    )
    assert r.status_code == 200 and "打印调解协议书" in r.content.decode()
    print_page = client.get(f"/console/disputes/{case.pk}/agreement/").content.decode()
    assert "调解协议书" in print_page and "楼上负责修复" in print_page and "张伟" in print_page
    # the resident rates it on the phone
    res = login(world.resident_a)
    assert res.post(f"/h5/disputes/{case.pk}/rate/", {"score": 5}, **HX).status_code == 200
    assert case.parties.get(household=world.home).satisfaction == 5


def test_agreement_waits_for_resolution(world, login, leak):
    case = leak()
    r = login(world.leader_a).get(f"/console/disputes/{case.pk}/agreement/")
    assert r.status_code == 302


def test_pages_hide_other_compounds_and_notes(world, login, leak, neighbour):
    case = leak()
    services.session_add(actor=world.leader_a, case=case, notes="秘密记录")
    assert login(world.outsider_b).get(f"/console/disputes/{case.pk}/").status_code == 404
    assert login(neighbour).get(f"/h5/disputes/{case.pk}/").status_code == 404
    page = login(world.resident_a).get(f"/h5/disputes/{case.pk}/").content.decode()
    assert "秘密记录" not in page
    page = login(world.manager_a).get(f"/console/disputes/{case.pk}/").content.decode()
    assert "秘密记录" in page


def test_staff_intake_with_sweep(world, login):
    services.sweeps_plan(compound=world.a)
    sweep = Sweep.objects.get(building=world.home.building)
    client = login(world.leader_a)
    assert "发现矛盾" in client.get("/console/disputes/sweeps/").content.decode()
    r = client.post(
        f"/console/disputes/new/?sweep={sweep.pk}",
        {
            "category": "shared_space",
            "summary": "楼道堆放杂物",
            "parties": [world.home.pk, ""],
            "sweep": sweep.pk,
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    case = Case.objects.get()
    assert (case.source, case.sweep, case.building) == ("sweep", sweep, world.home.building)
    sweep.refresh_from_db()
    assert sweep.done and not sweep.found_nothing
    bad = client.post("/console/disputes/new/", {"category": "noise", "summary": "x"})
    assert bad.status_code == 422


def test_sweep_nothing_found_in_place(world, login):
    services.sweeps_plan(compound=world.a)
    sweep = Sweep.objects.get(building=world.home.building)
    r = login(world.leader_a).post(f"/console/disputes/sweeps/{sweep.pk}/done/", {}, **HX)
    assert r.status_code == 200 and "未发现矛盾" in r.content.decode()
    again = login(world.leader_a).post(f"/console/disputes/sweeps/{sweep.pk}/done/", {}, **HX)
    assert again.status_code == 422
    other = Sweep.objects.exclude(pk=sweep.pk).get()
    assert (
        login(world.leader_a).post(f"/console/disputes/sweeps/{other.pk}/done/").status_code == 404
    )


def test_figures_pages(world, login, leak):
    leak(risk="red")
    page = login(world.regulator).get("/console/disputes/figures/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "小事不出楼栋" in html and "shell-gov" in html and "幸福里" in html
    assert (
        login(world.manager_a).get(f"/console/disputes/figures/?compound={world.a.pk}").status_code
        == 200
    )
    assert (
        login(world.manager_a).get(f"/console/disputes/figures/?compound={world.b.pk}").status_code
        == 404
    )
    assert login(world.resident_a).get("/console/disputes/figures/").status_code == 403


def test_time_limits_page(world, login):
    client = login(world.manager_a)
    assert client.get("/console/disputes/settings/").status_code == 200
    bad = client.post(
        "/console/disputes/settings/",
        {
            "compound": world.a.pk,
            "building_days": "0",
            "compound_days": "7",
            "community_days": "15",
            "street_days": "30",
            "followup_days": "7",
            "reopen_days": "30",
            "sweep_period": "month",
        },
    )
    assert bad.status_code == 422 and not Policy.objects.exists()
    ok = client.post(
        "/console/disputes/settings/",
        {
            "compound": world.a.pk,
            "building_days": "2",
            "compound_days": "5",
            "community_days": "15",
            "street_days": "30",
            "followup_days": "7",
            "reopen_days": "30",
            "sweep_period": "week",
        },
    )
    assert ok.status_code == 200
    assert Policy.objects.get(compound=world.a).building_days == 2
    assert login(world.leader_a).get("/console/disputes/settings/").status_code == 403


def test_today_cards(world, login, leak):
    leak()
    leak(risk="red")
    services.sweeps_plan(compound=world.a)
    from wanjia.core.today import cards_for

    titles = {c.title: c for c in cards_for(world.leader_a)}
    assert titles["我的调解"].count == 1 and titles["本期矛盾排查"].count == 1
    titles = {c.title: c for c in cards_for(world.secretary_a)}
    assert titles["待化解矛盾纠纷"].count == 2
    assert titles["红色风险纠纷"].status == "overdue"
    titles = {c.title: c for c in cards_for(world.regulator)}
    assert titles["辖区红色风险纠纷"].count == 1
    assert login(world.leader_a).get("/console/").status_code == 200


def test_agreement_copies_are_the_holders_it_names(world, login, leak):
    """一式N份 counts one copy per party plus the mediation organisation's."""
    import re

    case = leak()
    services.case_resolve(actor=world.leader_a, case=case, resolution="楼上修好防水")
    html = login(world.leader_a).get(f"/console/disputes/{case.pk}/agreement/").content.decode()
    parties = case.parties.count()
    signatures = html.count("当事人（签名）")
    assert parties == signatures == 2
    assert re.search(r"一式(\d+)份", html).group(1) == str(parties + 1)
    assert "当事人各执一份，调解组织留存一份" in html


def test_red_cases_are_paged_with_their_total(world, login):
    """The regulator's red-risk list no longer stops at 50: it says how many
    there are and pages through all of them."""
    import re
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    Case.objects.bulk_create(
        Case(
            compound=world.a,
            building=world.home.building,
            category="leak",
            summary=f"红色{n}",
            risk="red",
            level="building",
            status="pending",
            source="leader",
            opened_at=now,
            due_at=now + timedelta(days=1, minutes=n),
        )
        for n in range(55)
    )
    client = login(world.regulator)
    url = f"/console/disputes/figures/?compound={world.a.pk}"
    first = client.get(url).content.decode()
    assert re.search(r'data-count="red">55<', first)
    assert first.count('class="dz-card risk-red"') == 50 and "第 1 / 2 页" in first
    second = client.get(url + "&page=2").content.decode()
    assert second.count('class="dz-card risk-red"') == 5 and "第 2 / 2 页" in second
    assert f"compound={world.a.pk}" in second  # the pager keeps the drill-down


def test_a_resident_following_a_console_link_lands_on_their_phone_page(world, leak, login):
    """A notice or a shared link to /console/disputes/<id>/ put a resident in the
    staff console's shell (a menu of one item, 工作台); they land on the H5 page
    of the same case instead, and staff still get the console page."""
    from django.urls import reverse

    case = leak()
    resident = login(world.resident_a)
    answer = resident.get(reverse("disputes_case", args=[case.pk]))
    assert answer.status_code == 302
    assert answer["Location"] == reverse("disputes_h5_case", args=[case.pk])
    assert resident.get(answer["Location"]).status_code == 200
    staff = login(world.manager_a).get(reverse("disputes_case", args=[case.pk]))
    assert staff.status_code == 200


def test_my_cases_show_their_total_and_page_through_all(world, login):
    """A leader with 35 building-level cases saw "我的调解 20" and no way to the
    other 15: the board gives the true total and links the paged list of all."""
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    Case.objects.bulk_create(
        Case(
            compound=world.a,
            building=world.home.building,
            category="leak",
            summary=f"漏水{n}",
            level="building",
            status="pending",
            source="leader",
            opened_at=now,
            due_at=now + timedelta(days=1, minutes=n),
        )
        for n in range(35)
    )
    client = login(world.leader_a)
    board = client.get("/console/disputes/").content.decode()
    assert "查看全部 35 件" in board and 'href="/console/disputes/mine/"' in board
    first = client.get("/console/disputes/mine/").content.decode()
    assert first.count('class="dz-card risk-') == 30 and "共 35 条" in first
    second = client.get("/console/disputes/mine/?page=2").content.decode()
    assert second.count('class="dz-card risk-') == 5 and "漏水34" in second
    resident = login(world.resident_a).get("/console/disputes/mine/")
    assert resident.status_code == 302  # residents follow their cases on the phone
