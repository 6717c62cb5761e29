"""Console pages. The regulator: the list of events, the form that opens one,
the board of an event (refreshing itself) and closing it. A compound's
staff: their compounds under open events, and each compound's phone page —
the checklist ticked with a photo, today's report, the vulnerable
residents' roll call. A responder answers their own roll call."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wanjia.core.errors import Refusal, errors_of
from wanjia.core.jobs import with_live_progress
from wanjia.core.models import Compound, Region
from wanjia.core.scoping import NOT_FOUND

from .. import access, selectors, services
from ..checklists import label_of
from ..models import Answer, Grade, Group, Kind, Stage, Status, Supply
from ..services.reports import deadline

PHRASES = {
    "opened": gettext_lazy("启动应急响应，覆盖 %(compounds)s 个小区"),
    "ready": gettext_lazy("清单和通知已发到 %(compounds)s 个小区"),
    "closed": gettext_lazy("应急响应结束"),
    "item_done": gettext_lazy("完成清单项：%(item)s"),
    "report": gettext_lazy("报送日报，在岗 %(on_duty)s 人"),
    "report_updated": gettext_lazy("更新日报，在岗 %(on_duty)s 人"),
    "chased": gettext_lazy("日报逾期未报，已自动催报"),
    "roll": gettext_lazy("点名应答：%(answer)s"),
    "directive": gettext_lazy("发布指令：%(title)s"),
    "material": gettext_lazy("申请物资：%(supply)s × %(quantity)s"),
    "material_available": gettext_lazy("企业有货：%(supply)s × %(quantity)s"),
    "material_allocated": gettext_lazy("已调拨：%(supply)s × %(quantity)s"),
    "material_delivered": gettext_lazy("已送达：%(supply)s × %(quantity)s"),
    "acked": gettext_lazy("确认指令：%(title)s"),
}


def _refused(exc):
    if exc.status == 403:
        raise PermissionDenied from None


def timeline_rows(entries):
    answers = dict(Answer.choices)
    supplies = dict(Supply.choices)
    out = []
    for t in entries:
        ctx = dict((t.detail or {}).items())
        ctx.setdefault("compounds", "")
        ctx.setdefault("on_duty", "")
        ctx.setdefault("title", "")
        ctx.setdefault("quantity", "")
        ctx["supply"] = str(supplies.get(ctx.get("supply", ""), ""))
        ctx["item"] = label_of(ctx.get("code", ""))
        ctx["answer"] = str(answers.get(ctx.get("answer", ""), ""))
        phrase = PHRASES.get(t.what)
        text = (str(phrase) % ctx) if phrase else t.what
        out.append({"at": t.at, "compound": t.compound, "text": text})
    return out


def _regions_for(user):
    roots = access.command_regions(user)
    if user.is_superuser:
        return list(Region.objects.filter(kind__in=("city", "district", "street")))
    q = Q(pk__in=[])
    for r in roots:
        q |= Q(path__startswith=r.path)
    return list(Region.objects.filter(q, kind__in=("city", "district", "street")).order_by("path"))


@login_required
def home(request):
    user = request.user
    if not access.anywhere(user):
        raise PermissionDenied
    command = access.commands_anywhere(user)
    ctx = {
        "command": command,
        "mine": list(selectors.active_affected(user)[:50])
        if access.responds_anywhere(user)
        else [],
        "events": list(selectors.events_visible(user)[:50]) if command else [],
        "kinds": Kind.choices,
        "grades": Grade.choices,
        "regions": _regions_for(user) if command else [],
        "form": {},
        "errors": {},
    }
    return render(request, "emergency/home.html", ctx)


def _compound_ids_from_codes(raw: str) -> list[int] | None:
    codes = [c.strip() for c in (raw or "").replace("，", ",").split(",") if c.strip()]
    if not codes:
        return None
    found = dict(Compound.objects.filter(code__in=codes[:500]).values_list("code", "pk"))
    missing = [c for c in codes if c not in found]
    if missing:
        from wanjia.core.errors import Invalid

        raise Invalid(
            {"compounds": [_("找不到这些小区编码：%(codes)s") % {"codes": "，".join(missing[:10])}]}
        )
    return list(found.values())


@login_required
@require_POST
def event_new(request):
    user = request.user
    if not access.commands_anywhere(user):
        raise PermissionDenied
    form = request.POST
    try:
        ids = _compound_ids_from_codes(form.get("compounds", ""))
        event = services.event_open(
            actor=user,
            kind=form.get("kind"),
            grade=form.get("grade"),
            title=form.get("title"),
            region_id=None if ids else form.get("region"),
            compound_ids=ids,
        )
    except Refusal as exc:
        _refused(exc)
        ctx = {
            "command": True,
            "mine": [],
            "events": list(selectors.events_visible(user)[:50]),
            "kinds": Kind.choices,
            "grades": Grade.choices,
            "regions": _regions_for(user),
            "form": form,
            "errors": errors_of(exc),
        }
        return render(request, "emergency/home.html", ctx, status=exc.status)
    messages.success(request, _("应急事件已启动，正在后台为各小区生成清单和通知。"))
    return redirect("emergency_board", event.pk)


def _board_ctx(request, event):
    user = request.user
    now = timezone.now()
    day = timezone.localdate(now)
    overdue = event.status == Status.OPEN and now > deadline(event, day)
    rows = selectors.status_rows(user, event, day=day)
    for r in rows:
        r["colour"] = selectors.colour(r, overdue=overdue)
    job = with_live_progress(event.job) if event.job_id else None
    return {
        "event": event,
        "rows": rows,
        "counts": {
            "compounds": len(rows),
            "reported": sum(1 for r in rows if r["report_today"]),
            "overdue": sum(1 for r in rows if r["colour"] == "overdue"),
            "done": sum(1 for r in rows if r["colour"] == "done"),
            "vulnerable_unknown": sum(r["roll_call"]["unknown"] for r in rows),
            "vulnerable_help": sum(r["roll_call"]["needs_help"] for r in rows),
        },
        "responders": selectors.responder_counts(user, event),
        "rollup": selectors.rollup(rows),
        "overdue_rows": [r for r in rows if r["colour"] == "overdue"][:100],
        "timeline": timeline_rows(selectors.timeline_of(user, event, limit=30)),
        "directives": selectors.directives_of(user, event, now=now),
        "overdue_acks": list(selectors.overdue_receipts(user, event, now=now)[:100]),
        "materials": list(selectors.open_materials(user, event)[:100]),
        "shortages": selectors.shortages(user, event),
        "dform": {"hours": 4},
        "derrors": {},
        "deadline": deadline(event, day),
        "job": job,
        "now": now,
    }


@login_required
def board(request, pk):
    user = request.user
    event = selectors.event_or_404(user, pk)
    if not access.can_command_event(user, event):
        raise PermissionDenied
    ctx = _board_ctx(request, event)
    if request.GET.get("part") == "live":
        return render(request, "emergency/_board_live.html", ctx)
    return render(request, "emergency/board.html", ctx)


@login_required
@require_POST
def directive_new(request, pk):
    user = request.user
    event = selectors.event_or_404(user, pk)
    if not access.can_command_event(user, event):
        raise PermissionDenied
    form = request.POST
    try:
        services.directive_issue(
            actor=user,
            event=event,
            title=form.get("title"),
            text=form.get("text"),
            hours=form.get("hours"),
        )
    except Refusal as exc:
        _refused(exc)
        ctx = {**_board_ctx(request, event), "dform": form, "derrors": errors_of(exc)}
        return render(request, "emergency/board.html", ctx, status=exc.status)
    messages.success(request, _("指令已发布，正在通知各小区。"))
    return redirect("emergency_board", event.pk)


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


@login_required
@require_POST
def material_move(request, pk):
    user = request.user
    row = selectors.material_or_404(user, pk)
    stage = request.POST.get("stage", "")
    if stage in Stage.values and not services.materials.may_move(user, row, stage):
        raise PermissionDenied
    try:
        services.material_move(actor=user, row=row, stage=stage)
    except Refusal as exc:
        _refused(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, _("物资状态已更新。"))
    if access.can_command_event(user, row.event) and stage == Stage.ALLOCATED:
        return redirect("emergency_board", row.event_id)
    ec = selectors.affected_visible(user).filter(event=row.event, compound=row.compound).first()
    return redirect("emergency_compound", ec.pk) if ec else redirect("emergency_home")


@login_required
@require_POST
def close(request, pk):
    user = request.user
    event = selectors.event_or_404(user, pk)
    if not access.can_command_event(user, event):
        raise PermissionDenied
    try:
        services.event_close(actor=user, event=event, summary=request.POST.get("summary", ""))
    except Refusal as exc:
        _refused(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, _("应急事件已结束。"))
    return redirect("emergency_board", event.pk)


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
        "materials": list(selectors.materials_of(ec.event, ec.compound_id)[:50]),
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
