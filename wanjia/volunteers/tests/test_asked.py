"""Patrol rounds and care visits ask for volunteers the way market sorting
does: a panel on their own page posts a task with their ``source``; the
volunteer signs up, serves, the owner confirms, and the confirmed hours show
back on the asking page (and through ``volunteers.source_summary``)."""

import re
from datetime import timedelta

import pytest
import time_machine

from wanjia.care.tests.conftest import build_care
from wanjia.core import intents
from wanjia.patrol import services as patrol_services
from wanjia.patrol.tests.conftest import NIGHT, build_patrol
from wanjia.volunteers import services
from wanjia.volunteers.models import Task

pytestmark = pytest.mark.django_db


def _form(page: str) -> dict:
    """The panel's form as the browser would post it (hidden and visible fields)."""
    start = page.index('data-testid="vl-ask"') if 'data-testid="vl-ask"' in page else 0
    section = page[page.rfind("<form", 0, start) : start]
    return dict(re.findall(r'<input[^>]*name="(\w+)"[^>]*value="([^"]*)"', section))


def _serve_and_confirm(world, task, minutes):
    with time_machine.travel(task.starts_at - timedelta(hours=1), tick=False):
        signup = services.signup(actor=world.volunteer_a, task=task)
    with time_machine.travel(task.starts_at + timedelta(minutes=1), tick=False):
        services.check_in(actor=world.volunteer_a, signup=signup)
    with time_machine.travel(task.ends_at, tick=False):
        services.check_out(actor=world.volunteer_a, signup=signup)
        services.hours_confirm(actor=world.manager_a, signup=signup, minutes=minutes)


def test_patrol_round_asks_for_volunteers_and_shows_their_hours(world, login):
    with time_machine.travel(NIGHT - timedelta(hours=10), tick=False):
        _cps, _route, schedule = build_patrol(world, world.a, world.manager_a)
        patrol_services.runs_generate_for(schedule, NIGHT, NIGHT + timedelta(hours=12))
        run = schedule.route.runs.order_by("starts_at").first()
        url = f"/console/patrol/runs/{run.pk}/"
        desk = login(world.manager_a)
        page = desk.get(url).content.decode()
        assert 'data-testid="vl-patrol-panel"' in page
        form = _form(page)
        assert form["source"] == f"patrol.run:{run.pk}" and form["kind"] == "patrol"
        assert form["start"] == "22:00" and form["title"].startswith("夜间巡逻")
        r = desk.post(f"/console/volunteers/c/{world.a.pk}/tasks/", {**form, "places": "2"})
        assert r.status_code == 302 and r["Location"] == url
        task = Task.objects.get(source=f"patrol.run:{run.pk}")
        assert task.kind == "patrol" and task.places == 2 and task.starts_at == run.starts_at
        assert task.ends_at > task.starts_at  # past midnight when the round is
        assert "0/2" in desk.get(url).content.decode()
        # a bad form comes back to the round with the field's message, nothing posted
        r = desk.post(f"/console/volunteers/c/{world.a.pk}/tasks/", {**form, "places": "0"})
        assert r.status_code == 302 and Task.objects.count() == 1
    _serve_and_confirm(world, task, 90)
    with time_machine.travel(task.ends_at + timedelta(hours=1), tick=False):
        page = login(world.manager_a).get(url).content.decode()
        assert "已确认 1.5 小时" in page and "1/2" in page
        assert 'data-testid="vl-ask"' not in page  # the round is past: nothing more to ask
        assert intents.ask("volunteers.source_summary", f"patrol.run:{run.pk}")["hours"] == 1.5
        # a volunteer may not post tasks: no panel for them on any page
        assert (
            'data-testid="vl-patrol-panel"'
            not in login(world.volunteer_a).get(url).content.decode()
        )


def test_care_person_asks_for_a_visit_helper_and_shows_their_hours(world, login):
    with time_machine.travel(NIGHT - timedelta(hours=12), tick=False):
        p1, _p2, p3 = build_care(world)
        url = f"/console/care/people/{p1.pk}/"
        desk = login(world.manager_a)
        page = desk.get(url).content.decode()
        assert 'data-testid="vl-care-panel"' in page
        form = _form(page)
        assert form["source"] == f"care.person:{p1.pk}" and form["kind"] == "care"
        assert "张伟" not in form["title"]  # volunteers see the task list
        r = desk.post(f"/console/volunteers/c/{world.a.pk}/tasks/", form)
        assert r.status_code == 302 and r["Location"] == url
        task = Task.objects.get(source=f"care.person:{p1.pk}")
        assert task.kind == "care" and task.places == 1
    _serve_and_confirm(world, task, 100)
    with time_machine.travel(task.ends_at + timedelta(hours=1), tick=False):
        page = login(world.manager_a).get(url).content.decode()
        assert "已确认 1.7 小时" in page and "1/1" in page
        # another compound's person: the page is 404 before any panel
        assert login(world.manager_a).get(f"/console/care/people/{p3.pk}/").status_code == 404
