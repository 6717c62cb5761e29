"""The kernel's own URLs through the tenancy kit: the inbox (a notification is its
recipient's alone), a background job's page, the audit log (page and API) and
the console home."""

import pytest

from wanjia.core.models import Job, Notification
from wanjia.core.testkit import Endpoint, cases, check

pytestmark = pytest.mark.django_db

EVERYONE = (
    "resident_a",
    "manager_a",
    "leader_a",
    "secretary_a",
    "staff_a",
    "volunteer_a",
    "company_admin_a",
    "outsider_b",
    "regulator",
)
STAFF_A = ("manager_a", "leader_a", "secretary_a", "staff_a", "company_admin_a")


def job(world, side):
    """A job a manager started in their compound (a kind with no capability: only
    its creator may watch it)."""
    manager, compound = (world.manager_a, world.a) if side == "a" else (world.outsider_b, world.b)
    return Job.objects.create(kind="kit.test", created_by=manager, compound=compound)


def notification(world, side):
    """A's resident's notification, or B's manager's: nobody else's to read."""
    recipient = world.resident_a if side == "a" else world.outsider_b
    return Notification.objects.create(recipient=recipient, title="通知", link="/h5/")


def read_at(world, note):
    return Notification.objects.get(pk=note.pk).read_at


ENDPOINTS = [
    Endpoint(
        "inbox_read",
        "/inbox/{pk}/read/",
        method="post",
        allowed=("resident_a",),
        obj=notification,
        state=read_at,
    ),
    Endpoint(
        "inbox_open", "/inbox/{pk}/open/", allowed=("resident_a",), obj=notification, state=read_at
    ),
    Endpoint("inbox", "/inbox/", allowed=EVERYONE),
    Endpoint(
        "inbox_read_all",
        "/inbox/read-all/",
        method="post",
        allowed=EVERYONE,
    ),
    Endpoint(
        "job_status",
        "/jobs/{pk}/",
        allowed=("manager_a",),
        hidden=("resident_a", "staff_a", "company_admin_a", "regulator"),
        obj=job,
    ),
    Endpoint(
        "audit_log",
        "/console/audit/",
        allowed=("company_admin_a", "regulator"),
        forbidden=("resident_a", "manager_a", "staff_a", "volunteer_a", "outsider_b"),
    ),
    Endpoint(
        "api_audit",
        "/api/v1/audit",
        api=True,
        allowed=("company_admin_a", "regulator"),
        forbidden=("resident_a", "manager_a", "staff_a", "volunteer_a", "outsider_b"),
    ),
    Endpoint("console_home", "/console/", allowed=STAFF_A + ("regulator", "outsider_b")),
]


@pytest.mark.parametrize("case", cases("core", ENDPOINTS))
def test_tenancy(case, world_once, login, api):
    check(case, world_once, login, api)
