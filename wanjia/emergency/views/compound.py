"""A compound's staff under an open event: each compound's phone page — the
checklist ticked with a photo, today's report, the vulnerable residents' roll
call, a directive acknowledged, supplies asked for. A responder answers their
own roll call."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wanjia.core.errors import Refusal, errors_of
from wanjia.core.scoping import NOT_FOUND

from .. import access, selectors, services
from ..checklists import label_of
from ..models import Answer, Group, Status, Supply
from ..services.reports import deadline
from .console import _refused


@login_required
@require_POST
def receipt_ack(request, pk):
    user = request.user
    receipt = selectors.receipt_or_404(user, pk)
    if not access.can_respond(user, receipt.compound):
        raise PermissionDenied
    try:
        services.receipt_ack(actor=user, receipt=receipt)
    except Refusal as exc:
        _refused(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已确认收到指令。"))
    ec = (
        selectors.affected_visible(user)
        .filter(event_id=receipt.directive.event_id, compound=receipt.compound)
        .first()
    )
    if ec is None:
        return redirect("emergency_home")
    return redirect("emergency_compound", ec.pk)


@login_required
@require_POST
def material_new(request, pk):
    ec = _affected(request, pk)
    try:
        services.material_request(
            actor=request.user,
            event=ec.event,
            compound=ec.compound,
            supply=request.POST.get("supply"),
            quantity=request.POST.get("quantity"),
        )
    except Refusal as exc:
        _refused(exc)
        ctx = _compound_ctx(request, ec, merrors=errors_of(exc), mform=request.POST)
        return render(request, "emergency/compound.html", ctx, status=exc.status)
    messages.success(request, _("物资需求已上报。"))
    return redirect("emergency_compound", ec.pk)


def _affected(request, pk):
    user = request.user
    ec = selectors.affected_or_404(user, pk)
    if not (access.can_respond(user, ec.compound) or access.can_command_event(user, ec.event)):
        raise PermissionDenied
    return ec


def _compound_ctx(request, ec, **more):
    user = request.user
    items = list(selectors.items_of(ec.event, ec.compound_id))
    report = selectors.report_today(ec.event, ec.compound_id)
    receipts = list(selectors.receipts_of(ec.event, ec.compound_id)[:20])
    for r in receipts:
        services.receipt_read(actor=user, receipt=r)
    if "form" not in more:
        more["form"] = (
            {
                "on_duty": report.on_duty,
                "incidents": report.incidents,
                "people_moved": report.people_moved,
                "needs": report.needs,
                "note": report.note,
            }
            if report
            else {"incidents": 0, "people_moved": 0}
        )
    for it in items:
        it.label = label_of(it.code)
    return {
        "ec": ec,
        "event": ec.event,
        "compound": ec.compound,
        "items": items,
        "done": sum(1 for it in items if it.done_at),
        "report": report,
        "receipts": receipts,
        "materials": selectors.with_store(
            list(selectors.materials_of(ec.event, ec.compound_id)[:50]), ec.compound
        ),
        "supplies": Supply.choices,
        "supplies_here": access.supplies_for(user, ec.compound),
        "mform": {},
        "merrors": {},
        "past_reports": list(selectors.reports_of(ec.event, ec.compound_id)[:14]),
        "vulnerable": list(selectors.vulnerable_of(ec.event, ec.compound_id)),
        "can_respond": access.can_respond(user, ec.compound) and ec.event.status != Status.CLOSED,
        "deadline": deadline(ec.event, timezone.localdate()),
        "answers": Answer.choices,
        "errors": {},
        **more,
    }


@login_required
def compound_page(request, pk):
    ec = _affected(request, pk)
    return render(request, "emergency/compound.html", _compound_ctx(request, ec))


@login_required
@require_POST
def report(request, pk):
    ec = _affected(request, pk)
    form = request.POST
    try:
        _report, created = services.report_submit(
            actor=request.user,
            event=ec.event,
            compound=ec.compound,
            on_duty=form.get("on_duty"),
            note=form.get("note"),
            incidents=form.get("incidents"),
            people_moved=form.get("people_moved"),
            needs=form.get("needs", ""),
        )
    except Refusal as exc:
        _refused(exc)
        ctx = _compound_ctx(request, ec, form=form, errors=errors_of(exc))
        return render(request, "emergency/compound.html", ctx, status=exc.status)
    messages.success(request, _("今日日报已报送。") if created else _("今日日报已更新。"))
    return redirect("emergency_compound", ec.pk)


@login_required
@require_POST
def item_done(request, pk):
    user = request.user
    item = selectors.item_or_404(user, pk)
    if not access.can_respond(user, item.compound):
        raise PermissionDenied
    try:
        services.item_done(
            actor=user,
            item=item,
            photo=request.FILES.get("photo"),
            note=request.POST.get("note", ""),
        )
    except Refusal as exc:
        _refused(exc)
        ec = selectors.affected_visible(user).get(event=item.event, compound=item.compound)
        errors = {f"item{item.pk}": [m for ms in errors_of(exc).values() for m in ms]}
        ctx = _compound_ctx(request, ec, errors=errors)
        return render(request, "emergency/compound.html", ctx, status=exc.status)
    messages.success(request, _("已完成：%(item)s") % {"item": label_of(item.code)})
    ec = selectors.affected_visible(user).get(event=item.event, compound=item.compound)
    return redirect("emergency_compound", ec.pk)


@login_required
def item_photo(request, pk):
    user = request.user
    item = selectors.item_or_404(user, pk)
    if not (access.can_respond(user, item.compound) or access.covers_compound(user, item.compound)):
        raise PermissionDenied
    if not item.photo:
        raise Http404(_(NOT_FOUND))
    return FileResponse(item.photo.open("rb"), content_type="image/jpeg")


@login_required
def roll_answer(request, pk):
    """A responder's own answer (GET shows the question), or the staff's mark
    for a vulnerable resident (POST from the compound page)."""
    user = request.user
    entry = selectors.roll_entry_or_404(user, pk)
    from ..services.roll import may_answer

    if not may_answer(user, entry):
        raise PermissionDenied
    if request.method == "POST":
        try:
            services.roll_answer(
                actor=user,
                entry=entry,
                answer=request.POST.get("answer"),
                can_serve=request.POST.get("can_serve"),
            )
        except Refusal as exc:
            _refused(exc)
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已记录：%(name)s") % {"name": entry.name})
        if entry.group == Group.VULNERABLE:
            ec = (
                selectors.affected_visible(user)
                .filter(event=entry.event, compound=entry.compound)
                .first()
            )
            if ec is not None:
                return redirect("emergency_compound", ec.pk)
        return redirect("emergency_roll_answer", entry.pk)
    return render(request, "emergency/roll.html", {"entry": entry, "answers": Answer.choices})
