"""Team pages: a party member leads, guards and volunteers with patrol duty
join, bad input is a field error that changes nothing, the roster follows."""

import pytest

from wanjia.core.errors import Forbidden, Invalid
from wanjia.core.models import AuditLog
from wanjia.patrol.models import Team, TeamMember
from wanjia.patrol.services import rosters
from wanjia.patrol.services import teams as services

pytestmark = pytest.mark.django_db


def _team(world):
    return services.team_save(
        actor=world.manager_a, compound=world.a, name="先锋队", leader_id=world.secretary_a.pk
    )


def test_a_party_member_leads_and_on_duty_people_join(world):
    team = _team(world)
    assert team.leader == world.secretary_a
    services.member_add(actor=world.manager_a, team=team, user_id=world.staff_a.pk, role="guard")
    services.member_add(
        actor=world.manager_a, team=team, user_id=world.volunteer_a.pk, role="volunteer"
    )
    members = [m.user for m in rosters.members_of(world.a)]
    assert members == [world.staff_a, world.volunteer_a]  # the roster is built from them
    assert AuditLog.objects.filter(action__startswith="patrol.team.").count() == 3


def test_leader_must_be_a_party_member_on_duty_here(world):
    with pytest.raises(Invalid) as exc:
        services.team_save(actor=world.manager_a, compound=world.a, name="", leader_id="x")
    assert set(exc.value.errors) == {"name", "leader"}
    # a guard not marked 党员, and another compound's secretary, cannot lead
    for leader in (world.staff_a, world.outsider_b):
        with pytest.raises(Invalid) as exc:
            services.team_save(
                actor=world.manager_a, compound=world.a, name="队", leader_id=leader.pk
            )
        assert set(exc.value.errors) == {"leader"}
    assert not Team.objects.exists()


def test_only_people_with_patrol_duty_here_join_once(world):
    team = _team(world)
    for user in (world.resident_a, world.outsider_b):
        with pytest.raises(Invalid) as exc:
            services.member_add(actor=world.manager_a, team=team, user_id=user.pk, role="guard")
        assert set(exc.value.errors) == {"user"}
    with pytest.raises(Invalid) as exc:
        services.member_add(actor=world.manager_a, team=team, user_id=world.staff_a.pk, role="x")
    assert set(exc.value.errors) == {"role"}
    services.member_add(actor=world.manager_a, team=team, user_id=world.staff_a.pk, role="guard")
    with pytest.raises(Invalid) as exc:
        services.member_add(
            actor=world.manager_a, team=team, user_id=world.staff_a.pk, role="guard"
        )
    assert "已经在队里" in exc.value.errors["user"][0]
    assert TeamMember.objects.count() == 1
    with pytest.raises(Forbidden):
        services.member_add(actor=world.staff_a, team=team, user_id=world.staff_a.pk, role="guard")


def test_team_page_creates_adds_and_removes(world, login):
    client = login(world.manager_a)
    base = f"/console/patrol/c/{world.a.pk}/teams/"
    bad = client.post(base + "new/", {"name": "先锋队", "leader": ""})
    assert bad.status_code == 422 and "队长须是" in bad.content.decode()
    assert not Team.objects.exists()
    assert (
        client.post(base + "new/", {"name": "先锋队", "leader": world.secretary_a.pk}).status_code
        == 302
    )
    team = Team.objects.get()
    add = f"/console/patrol/teams/{team.pk}/members/"
    bad = client.post(add, {"user": "", "role": "guard"})
    assert bad.status_code == 422 and "只能加入" in bad.content.decode()
    assert client.post(add, {"user": world.staff_a.pk, "role": "guard"}).status_code == 302
    html = client.get(base).content.decode()
    assert "先锋队" in html and world.staff_a.name in html and world.secretary_a.name in html
    member = TeamMember.objects.get()
    assert client.post(f"/console/patrol/team-members/{member.pk}/remove/").status_code == 302
    assert not TeamMember.objects.exists()
    # the board's viewers see the teams but get no forms
    html = login(world.regulator).get(base).content.decode()
    assert "先锋队" in html and 'data-testid="team-form"' not in html
