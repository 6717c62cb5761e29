"""After the event. A compound's after-action page (its report, the figures
taken from the event's records, its nominations) for its manager, and the
regulator's after-action page of the event: every compound's report rolled
up into the city summary, each accepted or returned."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wanjia.core.errors import Refusal, errors_of

from .. import access, selectors, services
from ..models import AfterStatus, NomineeKind, Status
from .compound import _affected
from .console import _refused

FIGURE_LABELS = [
    ("items_done", gettext_lazy("完成清单项")),
    ("items_total", gettext_lazy("清单项总数")),
    ("reports_sent", gettext_lazy("报送日报")),
    ("reports_late", gettext_lazy("其中迟报")),
    ("people_moved", gettext_lazy("转移人数")),
    ("incidents", gettext_lazy("突发情况")),
    ("vulnerable_safe", gettext_lazy("关爱对象平安")),
    ("vulnerable_help", gettext_lazy("关爱对象需要帮助")),
    ("vulnerable_unknown", gettext_lazy("关爱对象未确认")),
    ("responders_answered", gettext_lazy("应答点名的队员")),
    ("responders_total", gettext_lazy("点名队员总数")),
    ("materials_delivered", gettext_lazy("送达物资（件）")),
]


def figure_rows(figures: dict) -> list[tuple]:
    return [(label, figures.get(key, 0)) for key, label in FIGURE_LABELS]


def _compound_ctx(request, ec, **more):
    user = request.user
    report = ec.event.after_actions.filter(compound=ec.compound).first()
    figures = (
        report.figures
        if report
        else services.figures_of(ec.event, [ec.compound_id])[ec.compound_id]
    )
    closed = ec.event.status == Status.CLOSED
    can_write = access.can_write_after(user, ec.compound) and closed
    if "form" not in more:
        more["form"] = (
            {"happened": report.happened, "worked": report.worked, "improve": report.improve}
            if report
            else {}
        )
    return {
        "ec": ec,
        "event": ec.event,
        "compound": ec.compound,
        "report": report,
        "figures": figure_rows(figures),
        "closed": closed,
        "editable": can_write and (report is None or report.status in services.after.EDITABLE),
        "can_nominate": closed and (can_write or access.can_command_event(user, ec.event)),
        "commander": access.can_command_event(user, ec.event),
        "nominations": list(selectors.nominations_of(ec.event, ec.compound_id)),
        "kinds": NomineeKind.choices,
        "errors": {},
        "nform": {},
        "nerrors": {},
        "rerrors": {},
        **more,
    }


@login_required
def compound_after(request, pk):
    ec = _affected(request, pk)
    if request.method != "POST":
        return render(request, "emergency/after.html", _compound_ctx(request, ec))
    form = request.POST
    submit = form.get("submit") == "1"
    try:
        services.after_save(
            actor=request.user,
            event=ec.event,
            compound=ec.compound,
            happened=form.get("happened"),
            worked=form.get("worked"),
            improve=form.get("improve"),
            submit=submit,
        )
    except Refusal as exc:
        _refused(exc)
        ctx = _compound_ctx(request, ec, form=form, errors=errors_of(exc))
        return render(request, "emergency/after.html", ctx, status=exc.status)
    messages.success(request, _("复盘报告已提交，等待验收。") if submit else _("复盘报告已保存。"))
    return redirect("emergency_after", ec.pk)


@login_required
@require_POST
def nominate(request, pk):
    ec = _affected(request, pk)
    form = request.POST
    try:
        services.nominate(
            actor=request.user,
            event=ec.event,
            compound=ec.compound,
            kind=form.get("kind"),
            nominee=form.get("nominee"),
            citation=form.get("citation"),
        )
    except Refusal as exc:
        _refused(exc)
        ctx = _compound_ctx(request, ec, nform=form, nerrors=errors_of(exc))
        return render(request, "emergency/after.html", ctx, status=exc.status)
    messages.success(request, _("推荐已提交。"))
    return redirect("emergency_after", ec.pk)


def _event_ctx(request, event, **more):
    rows = selectors.after_rows(request.user, event)
    rerrors = more.pop("rerrors", {})
    for r in rows:
        r["figure_rows"] = figure_rows(r["figures"])
        r["rerror"] = rerrors.get(r["report"].pk) if r["report"] else None
    rollup = services.city_rollup(rows)
    return {
        "event": event,
        "rows": rows,
        "rollup": rollup,
        "totals": figure_rows(rollup["figures"]),
        "statuses": AfterStatus.choices,
        "closed": event.status == Status.CLOSED,
        "sform": {"summary": event.summary},
        "serrors": {},
        "nominations": sum(len(r["nominations"]) for r in rows),
        **more,
    }


@login_required
def event_after(request, pk):
    """The regulator's after-action page; POST saves the city summary."""
    user = request.user
    event = selectors.event_or_404(user, pk)
    if not access.can_command_event(user, event):
        raise PermissionDenied
    if request.method == "POST":
        try:
            services.summary_save(actor=user, event=event, summary=request.POST.get("summary"))
        except Refusal as exc:
            _refused(exc)
            ctx = _event_ctx(request, event, sform=request.POST, serrors=errors_of(exc))
            return render(request, "emergency/after_event.html", ctx, status=exc.status)
        messages.success(request, _("全市复盘总结已保存。"))
        return redirect("emergency_after_event", event.pk)
    return render(request, "emergency/after_event.html", _event_ctx(request, event))


@login_required
@require_POST
def review(request, pk):
    user = request.user
    report = selectors.after_or_404(user, pk)
    if not access.can_command_event(user, report.event):
        raise PermissionDenied
    decision = request.POST.get("decision")
    try:
        if decision == "accept":
            services.after_accept(actor=user, report=report)
        elif decision == "return":
            services.after_return(actor=user, report=report, reason=request.POST.get("reason"))
        else:
            from wanjia.core.errors import Invalid

            raise Invalid({"decision": [_("请选择验收或退回。")]})
    except Refusal as exc:
        _refused(exc)
        if exc.status == 409:
            messages.error(request, exc.message)
            return redirect("emergency_after_event", report.event_id)
        errs = {report.pk: [m for ms in errors_of(exc).values() for m in ms]}
        ctx = _event_ctx(request, report.event, rerrors=errs)
        return render(request, "emergency/after_event.html", ctx, status=exc.status)
    messages.success(
        request,
        _("已验收：%(compound)s") % {"compound": report.compound.name}
        if decision == "accept"
        else _("已退回：%(compound)s") % {"compound": report.compound.name},
    )
    return redirect("emergency_after_event", report.event_id)


@login_required
def event_after_xlsx(request, pk):
    """The city after-action as a workbook: a row per compound with its
    report's status, figures, three parts and nominations."""
    from io import BytesIO

    from django.http import HttpResponse
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from wanjia.core.audit import audit
    from wanjia.core.sheets import safe_cell

    user = request.user
    event = selectors.event_or_404(user, pk)
    if not access.can_command_event(user, event):
        raise PermissionDenied
    rows = selectors.after_rows(user, event)
    book = Workbook()
    sheet = book.active
    sheet.title = str(_("复盘报告"))[:31]
    sheet.append(
        [str(_("小区")), str(_("状态"))]
        + [str(label) for _key, label in FIGURE_LABELS]
        + [str(_("经过")), str(_("有效做法")), str(_("改进之处")), str(_("推荐先进"))]
    )
    for r in rows:
        report = r["report"]
        sheet.append(
            [safe_cell(r["compound"].name), str(report.get_status_display()) if report else ""]
            + [r["figures"].get(key, 0) for key, _label in FIGURE_LABELS]
            + [
                safe_cell(report.happened) if report else "",
                safe_cell(report.worked) if report else "",
                safe_cell(report.improve) if report else "",
                safe_cell("；".join(f"{n.nominee}：{n.citation}" for n in r["nominations"])),
            ]
        )
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "B2"
    out = BytesIO()
    book.save(out)
    audit(actor=user, action="emergency.after.exported", obj=event, detail={"rows": len(rows)})
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="emergency-after-{event.pk}.xlsx"'
    return response
