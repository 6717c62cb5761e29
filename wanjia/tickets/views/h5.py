"""Phone pages. A resident reports in three taps (what: a category; what is
wrong: a line and photos; where: home or a common area — then 提交), follows
the ticket's clock and rates it. Staff see their work: assigned to them, then
the compound's new ones, with one-tap accept / start / done."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wanjia.core.errors import Refusal, errors_of

from .. import access, selectors, services
from ..models import Place


def _resident(user):
    if not access.has_household(user):
        raise PermissionDenied


@login_required
def my_list(request):
    _resident(request.user)
    return render(
        request,
        "tickets/h5_list.html",
        {"tickets": selectors.my_tickets(request.user)[:50], "tab": "services"},
    )


@login_required
def report(request):
    user = request.user
    _resident(user)
    home = selectors.my_households(user).first()
    services.categories_ensure(home.compound.company)
    errors, post, duplicate = {}, {}, None
    if request.method == "POST":
        post = request.POST
        bid = (post.get("building") or "").strip()
        building = (
            selectors.building_in(home.compound, int(bid))
            if bid.isdigit() and len(bid) < 18
            else None
        )
        try:
            ticket = services.ticket_open(
                actor=user,
                household=home,
                category=post.get("category", ""),
                description=post.get("description", ""),
                place_kind=post.get("place_kind", Place.UNIT),
                place=post.get("place", ""),
                building=building if post.get("place_kind") == Place.COMMON else None,
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
            messages.success(request, _("已提交，物业会尽快受理。"))
            return redirect("tickets_h5_ticket", ticket.pk)
    return render(
        request,
        "tickets/h5_new.html",
        {
            "home": home,
            "categories": selectors.categories_of(home.compound.company),
            "buildings": selectors.buildings_of(home.compound),
            "errors": errors,
            "post": post,
            "duplicate": duplicate,
            "tab": "services",
        },
        status=(409 if duplicate else 422) if errors else 200,
    )


def _mine(request, pk):
    _resident(request.user)
    return selectors.get_or_404(selectors.my_tickets(request.user), pk=pk)


@login_required
def ticket(request, pk, errors=None, status=200):
    t = _mine(request, pk)
    return render(
        request,
        "tickets/h5_ticket.html",
        {
            "t": t,
            "clock": selectors.clock(t),
            "photos": list(t.photos.all()),
            "may_rate": access.may_rate(request.user, t) and t.status == "done",
            "errors": errors or {},
            "tab": "services",
        },
        status=status,
    )


def _act(request, pk, fn, message):
    t = _mine(request, pk)
    try:
        fn(t)
    except Refusal as exc:
        if exc.status == 403:
            raise PermissionDenied from None
        return ticket(request, pk, errors=errors_of(exc), status=exc.status)
    messages.success(request, message)
    return redirect("tickets_h5_ticket", t.pk)


@login_required
@require_POST
def rate(request, pk):
    return _act(
        request,
        pk,
        lambda t: services.ticket_rate(
            actor=request.user,
            ticket=t,
            score=request.POST.get("score", ""),
            comment=request.POST.get("comment", ""),
        ),
        _("谢谢您的评价。"),
    )


@login_required
@require_POST
def cancel(request, pk):
    return _act(
        request, pk, lambda t: services.ticket_cancel(actor=request.user, ticket=t), _("已撤回。")
    )


@login_required
@require_POST
def follow(request, pk):
    """Follow the ticket someone already opened for the same fault."""
    user = request.user
    _resident(user)
    t = selectors.get_or_404(selectors.followable(user), pk=pk)
    try:
        services.ticket_follow(actor=user, ticket=t)
    except Refusal as exc:
        if exc.status == 403:
            raise PermissionDenied from None
        messages.error(request, exc.message)
        return redirect("tickets_h5_list")
    messages.success(request, _("已关注，处理进度会通知您。"))
    return redirect("tickets_h5_ticket", t.pk)


@login_required
def work(request):
    user = request.user
    if not access.works_anywhere(user):
        raise PermissionDenied
    return render(
        request,
        "tickets/h5_work.html",
        {"rows": selectors.my_work(user), "tab": "home"},
    )


@login_required
def photo(request, pk):
    found = selectors.get_or_404(selectors.photo_rows(request.user), pk=pk)
    try:
        handle = found.image.open("rb")
    except (FileNotFoundError, ValueError, OSError):
        raise Http404 from None
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response
