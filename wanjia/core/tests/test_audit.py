"""The audit log: append-only, redacted, and searchable by company admins (their
companies) and regulators (their region)."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from wanjia.core.audit import audit
from wanjia.core.models import AuditLog
from wanjia.estates.models import Resident

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# -- append-only -----------------------------------------------------------------------


def test_an_entry_cannot_be_changed_or_deleted(world):
    entry = audit(actor=world.manager_a, action="test.thing.done", compound=world.a)
    entry.action = "test.thing.undone"
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()
    with pytest.raises(ValidationError):
        AuditLog.objects.filter(pk=entry.pk).update(action="test.thing.undone")
    with pytest.raises(ValidationError):
        AuditLog.objects.filter(pk=entry.pk).delete()
    with pytest.raises(ValidationError):
        AuditLog.objects.all().delete()
    assert AuditLog.objects.get(pk=entry.pk).action == "test.thing.done"


def test_deleting_the_actor_keeps_the_entry_and_the_name(world):
    from wanjia.estates.testing import make_user

    gone = make_user("gone", display_name="离职员工")
    entry = audit(actor=gone, action="test.thing.done", compound=world.a)
    gone.delete()
    entry = AuditLog.objects.get(pk=entry.pk)
    assert entry.actor is None and entry.actor_name == "离职员工"


# -- redaction ---------------------------------------------------------------------------


def test_detail_is_redacted_before_it_is_stored(world):
    entry = audit(
        actor=world.manager_a,
        action="test.thing.done",
        detail={
            "password": "hunter2",
            "api_token": "abc",
            "id_number": "11010519491231002X",
            "changes": {
                "health_notes": {"from": "", "to": "糖尿病"},
                "phone": {"from": "13812345678", "to": "13900001111"},
                "birth_date": {"from": None, "to": date(1950, 1, 2)},
            },
            "emergency_contacts": [{"name": "王大明", "phone": "13800000000"}],
            "count": 3,
        },
    )
    stored = AuditLog.objects.get(pk=entry.pk).detail
    assert stored == {
        "password": "***",
        "api_token": "***",
        "id_number": "***",
        "changes": {
            "health_notes": "***",
            "phone": {"from": "138****5678", "to": "139****1111"},
            "birth_date": {"from": None, "to": "1950-01-02"},
        },
        "emergency_contacts": [{"name": "王大明", "phone": "138****0000"}],
        "count": 3,
    }


def test_system_writes_are_attributed_to_the_system(world):
    entry = audit(actor=None, action="test.thing.done")
    assert entry.actor is None and entry.actor_name == "system"


# -- GET /api/v1/audit ----------------------------------------------------------------------


def actions(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [e["action"] for e in response.json()["items"]]


def test_entry_shape(world, api):
    audit(
        actor=world.manager_a,
        action="estates.resident.updated",
        obj=Resident.objects.get(name="张伟"),
        detail={"fields": ["name"]},
        ip="10.0.0.9",
    )
    (entry,) = (
        api(world.company_admin_a).get("/api/v1/audit?action=estates.resident").json()["items"]
    )
    assert entry["action"] == "estates.resident.updated"
    assert entry["actor"] == world.manager_a.pk and entry["actor_name"] == "刘经理"
    assert entry["compound"] == world.a.pk and entry["company"] == world.a.company_id
    assert entry["object_type"] == "resident" and entry["detail"] == {"fields": ["name"]}
    assert entry["ip"] == "10.0.0.9" and entry["at"]


def test_filters(world, api):
    now = timezone.now()
    with time_machine.travel(now - timedelta(days=10)):
        audit(actor=world.manager_a, action="estates.resident.created", compound=world.a)
    audit(actor=world.manager_a, action="estates.resident.updated", compound=world.a)
    audit(actor=world.secretary_a, action="party.member.added", compound=world.a)
    audit(actor=world.outsider_b, action="estates.resident.updated", compound=world.b)
    client = api(world.regulator)

    assert actions(client.get("/api/v1/audit?action=estates.resident")) == [
        "estates.resident.updated",
        "estates.resident.updated",
        "estates.resident.created",
    ]
    assert actions(client.get(f"/api/v1/audit?action=estates.resident&compound={world.b.pk}")) == [
        "estates.resident.updated"
    ]
    assert actions(client.get(f"/api/v1/audit?actor={world.secretary_a.pk}")) == [
        "party.member.added"
    ]
    since = (now - timedelta(days=1)).isoformat()
    r = client.get("/api/v1/audit", {"action": "estates.resident", "since": since})
    assert actions(r) == ["estates.resident.updated", "estates.resident.updated"]
    until = (now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S")  # naive: Beijing time
    r = client.get("/api/v1/audit", {"action": "estates.resident", "until": until})
    assert actions(r) == ["estates.resident.created"]


def test_paging_is_newest_first(world, api):
    for i in range(5):
        audit(actor=world.manager_a, action=f"test.step.{i}", compound=world.a)
    client = api(world.company_admin_a)
    page = client.get("/api/v1/audit?action=test.step&limit=2&offset=1").json()
    assert page["count"] == 5
    assert [e["action"] for e in page["items"]] == ["test.step.3", "test.step.2"]


def test_company_admin_sees_company_wide_entries(world, api):
    audit(actor=world.company_admin_a, action="core.company.settings", company=world.a.company)
    audit(actor=world.outsider_b, action="core.company.settings", company=world.b.company)
    r = api(world.company_admin_a).get("/api/v1/audit?action=core.company")
    assert [e["company"] for e in r.json()["items"]] == [world.a.company_id]
    # company-wide entries belong to no region: the regulator sees them only per compound
    assert actions(api(world.regulator).get("/api/v1/audit?action=core.company")) == []


@pytest.mark.parametrize(
    "query, field",
    [
        ("since=0", "since"),
        ("since=1700000000", "since"),
        ("since=2024-13-01", "since"),
        ("until=0001-01-01T00:00:00", "until"),
        ("compound=0", "compound"),
        ("actor=x", "actor"),
        ("action=" + "a" * 101, "action"),
        ("limit=1000", "limit"),
    ],
)
def test_bad_filters_are_422(world, api, query, field):
    r = api(world.regulator).get(f"/api/v1/audit?{query}")
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == [field]
