"""Every tickets URL through the kernel's tenancy kit. Compound A: the
resident's own ticket in four states (new, assigned to the staff member,
done, a common-area fault), with a photo; compound B: the same, reported by
its manager. The company admin alone edits categories."""

from io import BytesIO

import pytest
from django.core.files.base import ContentFile

from wanjia.core.testkit import Endpoint, cases, check, item_of, others
from wanjia.tickets import services
from wanjia.tickets.models import Category, Status, Ticket, TicketPhoto

pytestmark = pytest.mark.django_db

WORK = ("manager_a", "staff_a", "company_admin_a")
MANAGE = ("manager_a", "company_admin_a")
READ = (*WORK, "regulator")  # the authority reads a ticket cited as credit evidence
RESIDENT = ("resident_a",)
ADMIN = ("company_admin_a",)
SEES = (*RESIDENT, *WORK)


def _jpeg():
    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (8, 8), "blue").save(out, "JPEG")
    return ContentFile(out.getvalue())


def _make(world, side):
    if side == "a":
        actor, compound, home = world.resident_a, world.a, world.home
    else:
        actor, compound, home = world.outsider_b, world.b, world.b_home
    manager = world.manager_a if side == "a" else world.outsider_b

    def new(description, **kw):
        return services.ticket_open(
            actor=actor,
            compound=compound,
            household=home,
            category="plumbing",
            description=description,
            **kw,
        )

    fresh = new("新报修")
    assigned = services.ticket_assign(
        actor=manager,
        ticket=new("已派单"),
        assignee=world.staff_a if side == "a" else manager,
    )
    done = services.ticket_done(
        actor=manager,
        ticket=services.ticket_assign(actor=manager, ticket=new("已完成"), assignee=manager),
    )
    common = new("公共区域", place_kind="common", place="1栋电梯")
    photo = TicketPhoto(ticket=fresh)
    photo.image.save(f"kit-{side}.jpg", _jpeg(), save=True)
    category = Category.objects.get(company=compound.company, code="plumbing")
    return {
        "fresh": fresh,
        "assigned": assigned,
        "done": done,
        "common": common,
        "photo": photo,
        "category": category,
    }


@pytest.fixture(scope="module")
def tk_world(world_once, django_db_blocker, tmp_path_factory):
    from django.test import override_settings

    w = world_once
    media = override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media")))
    media.enable()
    with django_db_blocker.unblock():
        w.tk = {"a": _make(w, "a"), "b": _make(w, "b")}
    yield w
    media.disable()


def compound(world, side):
    return world.a if side == "a" else world.b


def company(world, side):
    return compound(world, side).company


def _status(world, obj):
    return tuple(Ticket.objects.filter(pk=obj.pk).values_list("status", "assignee_id", "rating"))


def _count(world, obj):
    return Ticket.objects.count()


def _cat_state(world, obj):
    return tuple(Category.objects.filter(pk=obj.pk).values_list("name", "respond_minutes"))


def _cats(world, obj):
    return Category.objects.filter(company_id=obj.pk).count()


ENDPOINTS = [
    Endpoint("tickets_home", "/console/tickets/", allowed=WORK, forbidden=others(*WORK)),
    Endpoint(
        "tickets_queue",
        "/console/tickets/c/{pk}/?status=open&overdue=1",
        allowed=WORK,
        forbidden=others(*WORK),
        obj=compound,
    ),
    Endpoint(
        "tickets_new",
        "/console/tickets/c/{pk}/new/",
        allowed=WORK,
        forbidden=others(*WORK),
        obj=compound,
    ),
    Endpoint(
        "tickets_new_post",
        "/console/tickets/c/{pk}/new/",
        method="post",
        body={
            "category": "doors",
            "place_kind": "common",
            "place": "北门",
            "description": "门禁坏了",
        },
        allowed=WORK,
        forbidden=others(*WORK),
        obj=compound,
        state=_count,
    ),
    Endpoint(
        "tickets_export",
        "/console/tickets/c/{pk}/export/",
        allowed=MANAGE,
        forbidden=others(*MANAGE),
        obj=compound,
    ),
    Endpoint(
        "tickets_figures",
        "/console/tickets/c/{pk}/figures/",
        allowed=WORK,
        forbidden=others(*WORK),
        obj=compound,
    ),
    Endpoint(
        "tickets_categories_home",
        "/console/tickets/categories/",
        allowed=ADMIN,
        forbidden=others(*ADMIN),
    ),
    Endpoint(
        "tickets_categories",
        "/console/tickets/co/{pk}/categories/",
        allowed=ADMIN,
        forbidden=others(*ADMIN),
        obj=company,
    ),
    Endpoint(
        "tickets_categories_post",
        "/console/tickets/co/{pk}/categories/",
        method="post",
        body={
            "code": "gas",
            "name": "燃气",
            "respond_minutes": "30",
            "finish_hours": "8",
            "urgent": "1",
        },
        allowed=ADMIN,
        forbidden=others(*ADMIN),
        obj=company,
        state=_cats,
    ),
    Endpoint(
        "tickets_category",
        "/console/tickets/categories/{pk}/",
        allowed=ADMIN,
        forbidden=others(*ADMIN),
        obj=item_of("tk", "category"),
    ),
    Endpoint(
        "tickets_category_post",
        "/console/tickets/categories/{pk}/",
        method="post",
        body={
            "name": "水管",
            "respond_minutes": "60",
            "finish_hours": "24",
            "duty": "repair",
            "active": "1",
        },
        allowed=ADMIN,
        forbidden=others(*ADMIN),
        obj=item_of("tk", "category"),
        state=_cat_state,
    ),
    Endpoint(
        "tickets_ticket",
        "/console/tickets/t/{pk}/",
        allowed=READ,
        forbidden=others(*READ),
        obj=item_of("tk", "fresh"),
    ),
    Endpoint(
        "tickets_print",
        "/console/tickets/t/{pk}/print/",
        allowed=READ,
        forbidden=others(*READ),
        obj=item_of("tk", "fresh"),
    ),
    Endpoint(
        "tickets_accept",
        "/console/tickets/t/{pk}/accept/",
        method="post",
        allowed=WORK,
        forbidden=others(*WORK),
        obj=item_of("tk", "fresh"),
        state=_status,
    ),
    Endpoint(
        "tickets_assign",
        "/console/tickets/t/{pk}/assign/",
        method="post",
        body=lambda w, o: {
            "assignee": str(w.staff_a.pk if o.compound_id == w.a.pk else w.outsider_b.pk)
        },
        allowed=MANAGE,
        forbidden=others(*MANAGE),
        obj=item_of("tk", "fresh"),
        state=_status,
    ),
    Endpoint(
        "tickets_start",
        "/console/tickets/t/{pk}/start/",
        method="post",
        allowed=WORK,
        forbidden=others(*WORK),
        obj=item_of("tk", "assigned"),
        state=_status,
    ),
    Endpoint(
        "tickets_done",
        "/console/tickets/t/{pk}/done/",
        method="post",
        body={"note": "修好了"},
        allowed=WORK,
        forbidden=others(*WORK),
        obj=item_of("tk", "assigned"),
        state=_status,
    ),
    Endpoint(
        "tickets_visit",
        "/console/tickets/t/{pk}/visit/",
        method="post",
        body={"note": "电话回访，满意"},
        allowed=MANAGE,
        forbidden=others(*MANAGE),
        obj=item_of("tk", "done"),
        state=_status,
    ),
    Endpoint(
        "tickets_photo",
        "/tickets/photos/{pk}/",
        allowed=(*SEES, "regulator"),
        hidden=others(*SEES, "regulator"),
        obj=item_of("tk", "photo"),
    ),
    Endpoint("tickets_h5_list", "/h5/tickets/", allowed=RESIDENT, forbidden=others(*RESIDENT)),
    Endpoint("tickets_h5_new", "/h5/tickets/new/", allowed=RESIDENT, forbidden=others(*RESIDENT)),
    Endpoint(
        "tickets_h5_new_post",
        "/h5/tickets/new/",
        method="post",
        body={"category": "doors", "place_kind": "unit", "description": "防盗门锁坏了"},
        allowed=RESIDENT,
        forbidden=others(*RESIDENT),
        state=lambda w, o: Ticket.objects.count(),
    ),
    Endpoint("tickets_h5_work", "/h5/tickets/work/", allowed=WORK, forbidden=others(*WORK)),
    Endpoint(
        "tickets_h5_ticket",
        "/h5/tickets/{pk}/",
        allowed=RESIDENT,
        forbidden=others(*RESIDENT),
        outsider=None,
        obj=item_of("tk", "fresh"),
    ),
    Endpoint(
        "tickets_h5_rate",
        "/h5/tickets/{pk}/rate/",
        method="post",
        body={"score": "5", "comment": "好"},
        allowed=RESIDENT,
        forbidden=others(*RESIDENT),
        outsider=None,  # B's manager can never rate: 403 before any lookup
        obj=item_of("tk", "done"),
        state=_status,
    ),
    Endpoint(
        "tickets_h5_cancel",
        "/h5/tickets/{pk}/cancel/",
        method="post",
        allowed=RESIDENT,
        forbidden=others(*RESIDENT),
        outsider=None,  # B's manager can never cancel: 403 before any lookup
        obj=item_of("tk", "fresh"),
        state=_status,
    ),
    Endpoint(
        "tickets_h5_follow",
        "/h5/tickets/{pk}/follow/",
        method="post",
        allowed=RESIDENT,
        forbidden=others(*RESIDENT),
        outsider=None,  # B's manager can never follow: 403 before any lookup
        obj=item_of("tk", "common"),
        state=lambda w, o: Ticket.followers.through.objects.filter(ticket_id=o.pk).count(),
    ),
    Endpoint(
        "api_categories",
        "/api/v1/tickets/categories",
        api=True,
        allowed=SEES,
        forbidden=others(*SEES),
    ),
    Endpoint(
        "api_create",
        "/api/v1/tickets",
        method="post",
        api=True,
        body=lambda w, o: {"category": "doors", "description": "门坏了", "unit": w.home.pk},
        headers={"Idempotency-Key": "kit-create-1"},
        allowed=SEES,
        forbidden=others(*SEES),
    ),
    Endpoint(
        "api_list",
        "/api/v1/tickets?compound={pk}&status=open",
        api=True,
        allowed=WORK,
        forbidden=others(*WORK),
        obj=compound,
    ),
    Endpoint(
        "api_detail",
        "/api/v1/tickets/{pk}",
        api=True,
        allowed=SEES,
        forbidden=others(*SEES),
        obj=item_of("tk", "fresh"),
    ),
    Endpoint(
        "api_rate",
        "/api/v1/tickets/{pk}/rate",
        method="post",
        api=True,
        body={"score": 4},
        allowed=RESIDENT,
        forbidden=others(*RESIDENT),
        outsider=None,  # B's manager can never rate: 403 before any lookup
        obj=item_of("tk", "done"),
        state=_status,
    ),
    Endpoint(
        "api_accept",
        "/api/v1/tickets/{pk}/accept",
        method="post",
        api=True,
        allowed=WORK,
        forbidden=others(*WORK),
        obj=item_of("tk", "fresh"),
        state=_status,
    ),
    Endpoint(
        "api_assign",
        "/api/v1/tickets/{pk}/assign",
        method="post",
        api=True,
        body=lambda w, o: {
            "assignee": w.staff_a.pk if o.compound_id == w.a.pk else w.outsider_b.pk
        },
        allowed=MANAGE,
        forbidden=others(*MANAGE),
        obj=item_of("tk", "fresh"),
        state=_status,
    ),
    Endpoint(
        "api_start",
        "/api/v1/tickets/{pk}/start",
        method="post",
        api=True,
        allowed=WORK,
        forbidden=others(*WORK),
        obj=item_of("tk", "assigned"),
        state=_status,
    ),
    Endpoint(
        "api_done",
        "/api/v1/tickets/{pk}/done",
        method="post",
        api=True,
        allowed=WORK,
        forbidden=others(*WORK),
        obj=item_of("tk", "assigned"),
        state=_status,
    ),
    Endpoint(
        "api_visit",
        "/api/v1/tickets/{pk}/visit",
        method="post",
        api=True,
        body={"note": "回访满意"},
        allowed=MANAGE,
        forbidden=others(*MANAGE),
        obj=item_of("tk", "done"),
        state=_status,
    ),
]


@pytest.mark.parametrize("case", cases("tickets", ENDPOINTS))
def test_tenancy(case, tk_world, login, api):
    check(case, tk_world, login, api)


def test_fixture_states(tk_world):
    a = tk_world.tk["a"]
    assert (a["fresh"].status, a["assigned"].status, a["done"].status) == (
        Status.SUBMITTED,
        Status.ASSIGNED,
        Status.DONE,
    )
