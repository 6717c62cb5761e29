"""Console pages: the queue of a compound (filters by status, category,
overdue; paged), a ticket with its clock and the next actions, reporting for a
resident, and the printed work order."""

from datetime import datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wanjia.core.errors import Refusal, errors_of
from wanjia.core.scoping import gate

from .. import access, selectors, services
from ..models import Place, Status

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _compound(request, compound_id, allowed):
    user = request.user
    return gate(
        user,
        selectors.compounds_seen(user),
        compound_id,
        compound="id",
        allowed=lambda c: allowed(user, c),
    )


@login_required
def home(request):
    compounds = list(selectors.compounds_for(request.user))
    if not compounds:
        raise PermissionDenied
    if len(compounds) == 1:
        return queue(request, compounds[0].pk)
    return render(request, "tickets/home.html", {"compounds": compounds})


def _page(request, rows, per=30):
    return Paginator(rows, per).get_page(request.GET.get("page"))


@login_required
def queue(request, compound_id):
    compound = _compound(request, compound_id, access.can_work)
    services.categories_ensure(compound.company)
    status = request.GET.get("status", "")
    category = request.GET.get("category", "")
    overdue = request.GET.get("overdue") == "1"
    rows = selectors.queue(compound, status=status, category=category, overdue=overdue)
    now = timezone.now()
    return render(
        request,
        "tickets/queue.html",
        {
            "compound": compound,
            "page": _page(request, rows),
            "statuses": Status.choices,
            "categories": selectors.categories_of(compound.company, active_only=False),
            "filters": {"status": status, "category": category, "overdue": overdue},
            "now": now,
            "manage": access.can_manage(request.user, compound),
            "tab": "queue",
        },
    )


def _int(raw):
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 18 else None


@login_required
def new(request, compound_id):
    """Report for a resident (no phone, a call to the office) or a common area."""
    compound = _compound(request, compound_id, access.can_work)
    services.categories_ensure(compound.company)
    errors, post, duplicate = {}, {}, None
    if request.method == "POST":
        post = request.POST
        hid, bid = _int(post.get("unit")), _int(post.get("building"))
        household = selectors.household_in(compound, hid) if hid else None
        building = selectors.building_in(compound, bid) if bid else None
        try:
            if hid and household is None:
                raise services.Invalid({"unit": [_("只能选择本小区的住户。")]})
            ticket = services.ticket_open(
                actor=request.user,
                compound=compound,
                household=household if post.get("place_kind") != Place.COMMON else None,
                category=post.get("category", ""),
                title=post.get("title", ""),
                description=post.get("description", ""),
                place_kind=post.get("place_kind", ""),
                place=post.get("place", ""),
                building=building,
                photos=request.FILES.getlist("photos"),
                allow_duplicate=post.get("allow_duplicate") == "1",
            )
        except services.Duplicate as exc:
            duplicate = exc.ticket
            errors = errors_of(exc)
        except Refusal as exc:
            if exc.status == 403:
                raise PermissionDenied from None
            errors = errors_of(exc)
        else:
            messages.success(request, _("已登记报修 #%(id)s。") % {"id": ticket.pk})
            return redirect("tickets_ticket", ticket.pk)
    return render(
        request,
        "tickets/new.html",
        {
            "compound": compound,
            "categories": selectors.categories_of(compound.company),
            "households": selectors.compound_households(compound),
            "buildings": selectors.buildings_of(compound),
            "errors": errors,
            "post": post,
            "duplicate": duplicate,
            "tab": "new",
            "manage": access.can_manage(request.user, compound),
        },
        status=422 if errors else 200,
    )


def _ticket(request, pk, allowed, *, read_only=False):
    user = request.user
    if not (access.views_anywhere(user) if read_only else access.works_anywhere(user)):
        raise PermissionDenied
    return gate(
        user,
        selectors.staff_ticket_rows(),
        pk,
        compound="compound_id",
        allowed=lambda t: allowed(user, t),
    )


def _views(user, ticket):
    return access.can_view(user, ticket.compound)


def _works(user, ticket):
    return access.can_work(user, ticket.compound)


def _manages(user, ticket):
    return access.can_manage(user, ticket.compound)


@login_required
def ticket(request, pk, errors=None, status=200):
    # the authority reads it too (evidence of a credit item); acting needs more
    t = _ticket(request, pk, _views, read_only=True)
    manage = access.can_manage(request.user, t.compound)
    return render(
        request,
        "tickets/ticket.html",
        {
            "t": t,
            "compound": t.compound,
            "clock": selectors.clock(t),
            "photos": list(t.photos.all()),
            "manage": manage,
            "may_act": access.may_act(request.user, t),
            "workers": selectors.workers(t.compound) if manage else [],
            "errors": errors or {},
            "default_fix": (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        },
        status=status,
    )


def _back(request, t):
    nxt = request.POST.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return redirect(nxt)
    return redirect("tickets_ticket", t.pk)


def _act(request, pk, allowed, fn, done_message):
    t = _ticket(request, pk, allowed)
    try:
        fn(t)
    except Refusal as exc:
        if exc.status == 403:
            raise PermissionDenied from None
        if request.POST.get("next"):
            for msgs in errors_of(exc).values():
                for m in msgs:
                    messages.error(request, m)
            return _back(request, t)
        return ticket(request, pk, errors=errors_of(exc), status=exc.status)
    messages.success(request, done_message)
    return _back(request, t)


@login_required
@require_POST
def accept(request, pk):
    return _act(
        request,
        pk,
        access.may_act,
        lambda t: services.ticket_accept(actor=request.user, ticket=t),
        _("已受理。"),
    )


@login_required
@require_POST
def assign(request, pk):
    def fn(t):
        worker = selectors.worker_in(t.compound, _int(request.POST.get("assignee")) or 0)
        if worker is None:
            raise services.Invalid({"assignee": [_("请选择本小区的工作人员。")]})
        services.ticket_assign(actor=request.user, ticket=t, assignee=worker)

    return _act(request, pk, _manages, fn, _("已派单。"))


@login_required
@require_POST
def start(request, pk):
    return _act(
        request,
        pk,
        access.may_act,
        lambda t: services.ticket_start(actor=request.user, ticket=t),
        _("已开始处理。"),
    )


@login_required
@require_POST
def done(request, pk):
    return _act(
        request,
        pk,
        access.may_act,
        lambda t: services.ticket_done(
            actor=request.user, ticket=t, note=request.POST.get("note", "")
        ),
        _("已标记完成，等待居民评价。"),
    )


def parse_local(raw):
    raw = (raw or "").strip()
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        return None
    if not 1900 <= moment.year <= 9000:
        return None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


@login_required
@require_POST
def visit(request, pk):
    def fn(t):
        raw = request.POST.get("fix_by", "")
        fix_by = parse_local(raw)
        if raw.strip() and fix_by is None:
            raise services.Invalid({"fix_by": [_("请填写整改期限（日期和时间）。")]})
        services.ticket_visit(
            actor=request.user, ticket=t, note=request.POST.get("note", ""), fix_by=fix_by
        )

    return _act(request, pk, _manages, fn, _("已记录回访。"))


@login_required
def print_order(request, pk):
    t = _ticket(request, pk, _views, read_only=True)
    return render(
        request,
        "tickets/print.html",
        {"t": t, "clock": selectors.clock(t), "printed_at": timezone.now()},
    )
