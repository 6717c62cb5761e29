"""Pages of the inspections area: the authority's (gov shell) and the
company's and compound manager's (console shell). Thin: parse, call one
selector or service, render. A refused write re-renders with its
field-level errors and changes nothing."""

from datetime import date, datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wanjia.core import sheets
from wanjia.core.errors import Invalid, Refusal, errors_of
from wanjia.core.models import Compound
from wanjia.core.scoping import NOT_FOUND, compound_gate

from . import access, selectors, services
from .models import InspectionStatus, RectStatus


def _gov(user):
    if not access.may_inspect_anywhere(user):
        raise PermissionDenied


def _shell(user):
    return "gov/base.html" if access.may_inspect_anywhere(user) else "console/base.html"


def _date(value, field):
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        raise Invalid({field: [_("请输入有效日期（年-月-日）。")]}) from None


def _render(request, template, ctx, status=200):
    ctx.setdefault("shell", _shell(request.user))
    return render(request, f"supervision/inspections/{template}", ctx, status=status)


def _xlsx(title, header, rows, filename):
    return sheets.xlsx_response(title, [header, *rows], filename, widths=())


# ---------------------------------------------------------------- checklists
def _parse_entries(text):
    entries = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        cat, sep, item = line.partition("|")
        entries.append((cat, item) if sep else ("", cat))
    return entries


@login_required
def templates(request):
    user = request.user
    _gov(user)
    errors, form = {}, {}
    edit = None
    if request.GET.get("edit"):
        edit = selectors.template_or_404(user, request.GET["edit"])
    if request.method == "POST":
        if request.POST.get("template"):
            edit = selectors.template_or_404(user, request.POST["template"])
        form = request.POST
        try:
            services.template_save(
                actor=user,
                name=request.POST.get("name"),
                entries=_parse_entries(request.POST.get("entries")),
                template=edit,
            )
        except Refusal as exc:
            errors = errors_of(exc)
        else:
            messages.success(request, _("检查表已保存。"))
            return redirect("sup_templates")
    if edit is not None and not form:
        form = {
            "name": edit.name,
            "entries": "\n".join(f"{e.category}|{e.text}" for e in edit.entries.all()),
        }
    return _render(
        request,
        "templates.html",
        {
            "items": selectors.templates(user).prefetch_related("entries"),
            "edit": edit,
            "form": form,
            "errors": errors,
        },
        status=422 if errors else 200,
    )


# ---------------------------------------------------------------- inspections
@login_required
def inspections(request):
    user = request.user
    _gov(user)
    errors = {}
    if request.method == "POST":
        try:
            try:
                compound = compound_gate(
                    user, int(request.POST.get("compound") or 0), access.may_inspect
                )
            except (Http404, ValueError):
                raise Invalid({"compound": [_("请选择辖区内的小区。")]}) from None
            template = selectors.templates(user).filter(pk=request.POST.get("template") or 0)
            if not template.exists():
                raise Invalid({"template": [_("请选择检查表。")]})
            ins = services.inspection_plan(
                actor=user,
                compound=compound,
                template=template.get(),
                planned_on=_date(request.POST.get("planned_on"), "planned_on"),
            )
        except Refusal as exc:
            errors = errors_of(exc)
        else:
            messages.success(request, _("检查已安排。"))
            return redirect("sup_inspection", ins.pk)
    qs = selectors.inspections(user)
    status = request.GET.get("status", "")
    if status in InspectionStatus.values:
        qs = qs.filter(status=status)
    today = timezone.localdate()
    rows = list(qs[:300])
    return _render(
        request,
        "inspections.html",
        {
            "rows": rows,
            "status": status,
            "statuses": InspectionStatus.choices,
            "today": today,
            "upcoming": [r for r in rows if r.status != "finished" and r.planned_on >= today][:14],
            "compounds": Compound.objects.filter(
                pk__in=selectors.inspections(user).values("compound")
            )
            | _area_compounds(user),
            "templates": selectors.templates(user).filter(active=True),
            "errors": errors,
            "form": request.POST,
        },
        status=422 if errors else 200,
    )


def _area_compounds(user):
    from wanjia.core.scoping import scope_q

    from .selectors import SIDES  # noqa: F401

    return Compound.objects.filter(scope_q(user, roles={"regulator"}, compound="id"))


@login_required
def inspection(request, pk):
    user = request.user
    ins = selectors.inspection_or_404(user, pk)
    gov = access.may_inspect(user, ins.compound)
    if not (gov or access.may_rectify(user, ins.compound)):
        raise PermissionDenied
    return _inspection_page(request, ins, gov=gov)


def _inspection_page(request, ins, *, gov, errors=None, status=200):
    results = list(ins.results.all())
    findings = list(ins.findings.prefetch_related("photos", "rectifications"))
    return _render(
        request,
        "inspection.html",
        {
            "ins": ins,
            "gov": gov,
            "results": results,
            "left": sum(1 for r in results if not r.outcome),
            "findings": findings,
            "errors": errors or {},
            "form": request.POST,
            "today": timezone.localdate(),
        },
        status=status,
    )


def _gov_inspection(request, pk):
    user = request.user
    ins = selectors.inspection_or_404(user, pk)
    if not access.may_inspect(user, ins.compound):
        raise PermissionDenied
    return ins


def _act(request, ins, run, ok):
    try:
        run()
    except Refusal as exc:
        ins.refresh_from_db()
        return _inspection_page(request, ins, gov=True, errors=errors_of(exc), status=exc.status)
    messages.success(request, ok)
    return redirect("sup_inspection", ins.pk)


@login_required
@require_POST
def inspection_start(request, pk):
    ins = _gov_inspection(request, pk)
    return _act(
        request,
        ins,
        lambda: services.inspection_start(actor=request.user, inspection=ins),
        _("检查已开始。"),
    )


@login_required
@require_POST
def inspection_result(request, pk, result_pk):
    ins = _gov_inspection(request, pk)
    result = ins.results.filter(pk=result_pk).first()
    if result is None:
        raise Http404(_(NOT_FOUND))
    return _act(
        request,
        ins,
        lambda: services.result_record(
            actor=request.user,
            result=result,
            outcome=request.POST.get("outcome", ""),
            note=request.POST.get("note", ""),
        ),
        _("已记录：%(t)s") % {"t": result.text},
    )


@login_required
@require_POST
def finding_add(request, pk):
    ins = _gov_inspection(request, pk)
    result = None
    if request.POST.get("result"):
        result = ins.results.filter(pk=request.POST["result"]).first()
    return _act(
        request,
        ins,
        lambda: services.finding_add(
            actor=request.user,
            inspection=ins,
            text=request.POST.get("text", ""),
            photos=request.FILES.getlist("photos"),
            result=result,
        ),
        _("问题已记录。"),
    )


@login_required
@require_POST
def inspection_finish(request, pk):
    ins = _gov_inspection(request, pk)
    return _act(
        request,
        ins,
        lambda: services.inspection_finish(
            actor=request.user, inspection=ins, summary=request.POST.get("summary", "")
        ),
        _("检查已完成。"),
    )


@login_required
@require_POST
def rect_issue(request, pk):
    user = request.user
    finding = selectors.finding_or_404(user, pk)
    if not access.may_inspect(user, finding.compound):
        raise PermissionDenied
    ins = finding.inspection

    def run():
        services.rectification_issue(
            actor=user,
            finding=finding,
            requirement=request.POST.get("requirement", ""),
            deadline=_date(request.POST.get("deadline"), "deadline"),
        )

    return _act(request, ins, run, _("整改通知已下发。"))


@login_required
def inspection_print(request, pk):
    user = request.user
    ins = selectors.inspection_or_404(user, pk)
    if not (access.may_inspect(user, ins.compound) or access.may_rectify(user, ins.compound)):
        raise PermissionDenied
    return render(
        request,
        "supervision/inspections/inspection_print.html",
        {
            "ins": ins,
            "results": ins.results.all(),
            "findings": ins.findings.prefetch_related("photos", "rectifications"),
        },
    )


@login_required
def finding_photo(request, pk):
    user = request.user
    photo = selectors.finding_photo_or_404(user, pk)
    compound = photo.finding.compound
    if not (access.may_inspect(user, compound) or access.may_rectify(user, compound)):
        raise PermissionDenied
    return FileResponse(photo.photo.open("rb"), content_type="image/jpeg")


@login_required
def evidence_photo(request, pk):
    user = request.user
    photo = selectors.evidence_photo_or_404(user, pk)
    compound = photo.evidence.rectification.compound
    if not (access.may_inspect(user, compound) or access.may_rectify(user, compound)):
        raise PermissionDenied
    return FileResponse(photo.photo.open("rb"), content_type="image/jpeg")


# ---------------------------------------------------------------- rectification
def _rect_list(request, *, gov):
    user = request.user
    status = request.GET.get("status", "")
    qs = selectors.rectifications(user, status=status)
    rows = list(qs[:500])
    if request.GET.get("format") == "xlsx":
        return _xlsx(
            _("整改通知"),
            [
                _("编号"),
                _("小区"),
                _("物业企业"),
                _("问题"),
                _("整改要求"),
                _("期限"),
                _("状态"),
                _("逾期"),
            ],
            [
                [
                    r.ref,
                    r.compound.name,
                    str(r.company or ""),
                    r.finding.text,
                    r.requirement,
                    r.deadline.isoformat(),
                    r.get_status_display(),
                    _("是") if r.overdue_at else "",
                ]
                for r in rows
            ],
            "rectifications.xlsx",
        )
    template = "rects_print.html" if request.GET.get("print") else "rects.html"
    return _render(
        request,
        template,
        {
            "rows": rows,
            "gov": gov,
            "status": status,
            "statuses": [*RectStatus.choices, ("overdue", _("已逾期"))],
            "today": timezone.localdate(),
        },
    )


@login_required
def rects(request):
    _gov(request.user)
    return _rect_list(request, gov=True)


@login_required
def my_rects(request):
    user = request.user
    if access.may_inspect_anywhere(user):
        return redirect("sup_rects")
    if not access.may_rectify_anywhere(user):
        raise PermissionDenied
    return _rect_list(request, gov=False)


def _rect_page(request, rect, *, errors=None, status=200):
    user = request.user
    return _render(
        request,
        "rect.html",
        {
            "r": rect,
            "gov": access.may_inspect(user, rect.compound),
            "company": access.may_rectify(user, rect.compound),
            "evidence": rect.evidence.prefetch_related("photos"),
            "errors": errors or {},
            "form": request.POST,
            "today": timezone.localdate(),
        },
        status=status,
    )


@login_required
def rect_detail(request, pk):
    user = request.user
    rect = selectors.rectification_or_404(user, pk)
    if not (access.may_inspect(user, rect.compound) or access.may_rectify(user, rect.compound)):
        raise PermissionDenied
    return _rect_page(request, rect)


@login_required
@require_POST
def rect_evidence(request, pk):
    user = request.user
    rect = selectors.rectification_or_404(user, pk)
    if not access.may_rectify(user, rect.compound):
        raise PermissionDenied
    try:
        services.evidence_submit(
            actor=user,
            rectification=rect,
            text=request.POST.get("text", ""),
            photos=request.FILES.getlist("photos"),
        )
    except Refusal as exc:
        return _rect_page(request, rect, errors=errors_of(exc), status=exc.status)
    messages.success(request, _("整改材料已提交，等待监管部门验收。"))
    return redirect("sup_rect_detail", rect.pk)


@login_required
@require_POST
def rect_decide(request, pk):
    user = request.user
    rect = selectors.rectification_or_404(user, pk)
    if not access.may_inspect(user, rect.compound):
        raise PermissionDenied
    accept = request.POST.get("decision") == "accept"
    try:
        deadline = None
        if not accept and request.POST.get("deadline"):
            deadline = _date(request.POST.get("deadline"), "deadline")
        services.rectification_decide(
            actor=user,
            rectification=rect,
            accept=accept,
            reason=request.POST.get("reason", ""),
            deadline=deadline,
        )
    except Refusal as exc:
        return _rect_page(request, rect, errors=errors_of(exc), status=exc.status)
    messages.success(request, _("验收结果已记录。"))
    return redirect("sup_rect_detail", rect.pk)


# ---------------------------------------------------------------- notices
@login_required
def notices(request):
    user = request.user
    if not access.regions(user):
        raise PermissionDenied
    errors = {}
    if request.method == "POST":
        try:
            reply_by = None
            if request.POST.get("reply_by"):
                try:
                    reply_by = timezone.make_aware(datetime.fromisoformat(request.POST["reply_by"]))
                except ValueError:
                    raise Invalid({"reply_by": [_("请输入有效的日期时间。")]}) from None
            chosen = request.POST.getlist("companies")
            try:
                ids = None if request.POST.get("all") else [int(i) for i in chosen]
            except ValueError:
                raise Invalid({"companies": [_("请选择辖区内的物业企业。")]}) from None
            notice = services.notice_send(
                actor=user,
                title=request.POST.get("title", ""),
                body=request.POST.get("body", ""),
                company_ids=ids,
                attachment=request.FILES.get("attachment"),
                reply_by=reply_by,
            )
        except Refusal as exc:
            errors = errors_of(exc)
        else:
            messages.success(request, _("通知已发送。"))
            return redirect("sup_notice", notice.pk)
    from django.db.models import Count, Q

    rows = selectors.notices_sent(user).annotate(
        n=Count("recipients"),
        n_read=Count("recipients", filter=Q(recipients__read_at__isnull=False)),
        n_replied=Count("recipients", filter=Q(recipients__replied_at__isnull=False)),
    )
    return _render(
        request,
        "notices.html",
        {
            "rows": rows,
            "companies": selectors.companies_in_area(user),
            "errors": errors,
            "form": request.POST,
            "now": timezone.now(),
        },
        status=422 if errors else 200,
    )


@login_required
def notice(request, pk):
    user = request.user
    if not access.regions(user):
        raise PermissionDenied
    n = selectors.notice_sent_or_404(user, pk)
    rows = selectors.tracking(n)
    if request.GET.get("format") == "xlsx":
        return _xlsx(
            _("回执"),
            [_("物业企业"), _("阅读时间"), _("回复时间"), _("回复内容"), _("逾期")],
            [
                [
                    x["r"].company.name,
                    timezone.localtime(x["r"].read_at).strftime("%Y-%m-%d %H:%M")
                    if x["r"].read_at
                    else "",
                    timezone.localtime(x["r"].replied_at).strftime("%Y-%m-%d %H:%M")
                    if x["r"].replied_at
                    else "",
                    x["r"].reply_text,
                    _("是") if x["overdue"] else "",
                ]
                for x in rows
            ],
            "notice-receipts.xlsx",
        )
    template = "notice_print.html" if request.GET.get("print") else "notice.html"
    return _render(request, template, {"n": n, "rows": rows})


@login_required
def notice_file(request, pk):
    n = selectors.notice_file_or_404(request.user, pk)
    if not n.attachment:
        raise Http404(_(NOT_FOUND))
    return FileResponse(n.attachment.open("rb"), as_attachment=True, filename=n.attachment_name)


@login_required
def inbox(request):
    user = request.user
    if not access.company_ids(user):
        raise PermissionDenied
    return _render(
        request,
        "inbox.html",
        {"rows": selectors.receipts(user).order_by("-notice__sent_at"), "now": timezone.now()},
    )


def _receipt_page(request, r, *, errors=None, status=200):
    return _render(
        request,
        "receipt.html",
        {
            "r": r,
            "n": r.notice,
            "errors": errors or {},
            "form": request.POST,
            "now": timezone.now(),
        },
        status=status,
    )


@login_required
def receipt(request, pk):
    """Opening the notice is its read receipt."""
    user = request.user
    if not access.company_ids(user):
        raise PermissionDenied
    r = selectors.receipt_or_404(user, pk)
    services.notice_read(actor=user, recipient=r)
    return _receipt_page(request, r)


@login_required
@require_POST
def receipt_reply(request, pk):
    user = request.user
    if not access.company_ids(user):
        raise PermissionDenied
    r = selectors.receipt_or_404(user, pk)
    try:
        services.notice_reply(
            actor=user,
            recipient=r,
            text=request.POST.get("text", ""),
            file=request.FILES.get("file"),
        )
    except Refusal as exc:
        return _receipt_page(request, r, errors=errors_of(exc), status=exc.status)
    messages.success(request, _("回复已提交。"))
    return redirect("sup_receipt", r.pk)


@login_required
def reply_file(request, pk):
    r = selectors.receipt_file_or_404(request.user, pk)
    if not r.reply_file:
        raise Http404(_(NOT_FOUND))
    return FileResponse(r.reply_file.open("rb"), as_attachment=True, filename=r.reply_file_name)
