"""Console pages. The regulator: the list of events, the form that opens one,
the board of an event (refreshing itself), directives, material allocations
and closing it."""

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
from wanjia.core.scoping import NOT_FOUND, scope_q

from .. import access, selectors, services
from ..checklists import label_of
from ..models import Answer, Grade, Kind, Receipt, Stage, Status, Supply
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
    "after_submitted": gettext_lazy("提交复盘报告"),
    "nominated": gettext_lazy("推荐先进：%(nominee)s"),
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
        ctx.setdefault("nominee", "")
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
        "keeps_stock": access.responds_anywhere(user),
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
            attachment=request.FILES.get("attachment"),
        )
    except Refusal as exc:
        _refused(exc)
        ctx = {**_board_ctx(request, event), "dform": form, "derrors": errors_of(exc)}
        return render(request, "emergency/board.html", ctx, status=exc.status)
    messages.success(request, _("指令已发布，正在通知各小区。"))
    return redirect("emergency_board", event.pk)


@login_required
def directive_file(request, pk):
    user = request.user
    directive = selectors.directive_or_404(user, pk)
    mine = Receipt.objects.filter(directive=directive).filter(scope_q(user, compound="compound_id"))
    if not access.can_command_event(user, directive.event) and not any(
        access.can_respond(user, r.compound) for r in mine.select_related("compound")
    ):
        raise PermissionDenied
    if not directive.attachment:
        raise Http404(_(NOT_FOUND))
    return FileResponse(
        directive.attachment.open("rb"), as_attachment=True, filename=directive.attachment_name
    )


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
