"""The kernel's own URLs through the tenancy kit: the resident's household page,
the inbox (a notification is its recipient's alone), the audit log and the
regulator's overview."""

import pytest

from wanjia.core.models import Notification
from wanjia.core.testing import make_world
from wanjia.core.testkit import Endpoint, cases, check, module_world

pytestmark = pytest.mark.django_db
world = module_world(make_world)

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


def household(world, side):
    return world.home if side == "a" else world.b_home


def notification(world, side):
    """A's resident's notification, or B's manager's: nobody else's to read."""
    recipient = world.resident_a if side == "a" else world.outsider_b
    return Notification.objects.create(recipient=recipient, title="通知", link="/h5/")


def read_at(world, note):
    return Notification.objects.get(pk=note.pk).read_at


ENDPOINTS = [
    Endpoint("h5_household", "/h5/households/{pk}/", allowed=("resident_a",), obj=household),
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
    Endpoint(
        "gov_home",
        "/gov/",
        allowed=("regulator",),
        forbidden=("resident_a", "manager_a", "company_admin_a", "outsider_b"),
    ),
    Endpoint("console_home", "/console/", allowed=STAFF_A + ("regulator", "outsider_b")),
]


@pytest.mark.parametrize("case", cases("core", ENDPOINTS))
def test_tenancy(case, world, login, api):
    check(case, world, login, api)
