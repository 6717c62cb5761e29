"""Exemplary cases' pages.

- Nominators (a company's admin, a compound's manager or party secretary; the
  regulator too) in the console: pick a record of their compounds, nominate it
  with a citation and photos, follow their nominations, complete a returned one.
- The authority in the gov shell: the review queue by status, a case with its
  source record one click away, return / reject / select, publish and take
  down; Excel of the cases and an A4 print of one.
- The public (no login): the published cases and each case's page, phone
  first and printable, with only what the nomination states for publishing."""

from io import BytesIO

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from openpyxl import Workbook
from openpyxl.styles import Font

from wanjia.core import evidence
from wanjia.core.audit import audit
from wanjia.core.errors import Refusal, errors_of
from wanjia.core.scoping import NOT_FOUND
from wanjia.core.sheets import safe_cell

from . import access, selectors, services
from .models import CasePhoto, CaseStatus

TABS = [CaseStatus.SUBMITTED, CaseStatus.RETURNED, CaseStatus.SELECTED, CaseStatus.PUBLISHED]


def _refused(exc):
    if exc.status == 403:
        raise PermissionDenied from None


def _base(user) -> str:
    return "gov/base.html" if access.reviews_anywhere(user) else "console/base.html"


# -- nominators -------------------------------------------------------------


@login_required
def mine(request):
    user = request.user
    if not access.nominates_anywhere(user):
        raise PermissionDenied
    kind = request.GET.get("source", "")
    ctx = {
        "base": _base(user),
        "cases": list(selectors.mine(user)[:200]),
        "picks": selectors.pickable(user, kind=kind),
        "sources": sorted(
            ((k, s.label) for k, s in evidence.sources().items()), key=lambda x: x[0]
        ),
        "kind": kind,
    }
    return render(request, "supervision/exemplary/mine.html", ctx)


def _new_ctx(request, key, **more):
    record = evidence.find(request.user, key) if key else None
    return {
        "base": _base(request.user),
        "key": key,
        "record": record,
        "source_label": evidence.sources()[record.kind].label if record else "",
        "form": {"people": record.people} if record else {},
        "errors": {},
        "max_photos": services.MAX_PHOTOS,
        **more,
    }


@login_required
def new(request):
    user = request.user
    if not access.nominates_anywhere(user):
        raise PermissionDenied
    if request.method != "POST":
        key = request.GET.get("source", "")
        return render(request, "supervision/exemplary/new.html", _new_ctx(request, key))
    form = request.POST
    try:
        case = services.nominate(
            actor=user,
            key=form.get("source", ""),
            title=form.get("title"),
            people=form.get("people"),
            citation=form.get("citation"),
            photos=request.FILES.getlist("photos"),
        )
    except Refusal as exc:
        _refused(exc)
        ctx = _new_ctx(request, form.get("source", ""), form=form, errors=errors_of(exc))
        return render(request, "supervision/exemplary/new.html", ctx, status=exc.status)
    messages.success(request, _("推荐已提交，等待监管部门审核。"))
    return redirect("exemplary_mine_case", case.pk)


def _mine_ctx(request, case, **more):
    user = request.user
    return {
        "base": _base(user),
        "case": case,
        "photos": list(case.photos.all()),
        "editable": case.status == CaseStatus.RETURNED and access.may_nominate(user, case.compound),
        "form": {"title": case.title, "people": case.people, "citation": case.citation},
        "errors": {},
        "max_photos": services.MAX_PHOTOS,
        **more,
    }


@login_required
def mine_case(request, pk):
    user = request.user
    if not access.nominates_anywhere(user):
        raise PermissionDenied
    case = selectors.mine_or_404(user, pk)
    if request.method != "POST":
        return render(request, "supervision/exemplary/mine_case.html", _mine_ctx(request, case))
    form = request.POST
    try:
        services.resubmit(
            actor=user,
            case=case,
            title=form.get("title"),
            people=form.get("people"),
            citation=form.get("citation"),
            photos=request.FILES.getlist("photos"),
        )
    except Refusal as exc:
        _refused(exc)
        if exc.status == 409:  # already sent again (by a colleague, or a second click)
            messages.error(request, exc.message)
            return redirect("exemplary_mine_case", case.pk)
        ctx = _mine_ctx(request, case, form=form, errors=errors_of(exc))
        return render(request, "supervision/exemplary/mine_case.html", ctx, status=exc.status)
    messages.success(request, _("已补充并重新提交。"))
    return redirect("exemplary_mine_case", case.pk)


def _visible_case(user, pk):
    """A case the user reviews or nominates for (404 otherwise)."""
    found = selectors.reviewable(user).filter(pk=pk).first()
    return found or selectors.mine_or_404(user, pk)


@login_required
def photo(request, pk):
    """A case's photo, for staff who see the case (the public has its own gate)."""
    if not access.nominates_anywhere(request.user):
        raise PermissionDenied
    row = CasePhoto.objects.filter(pk=pk).first()
    if row is None:
        raise Http404(_(NOT_FOUND))
    try:
        _visible_case(request.user, row.case_id)
    except Http404:
        raise Http404(_(NOT_FOUND)) from None
    return FileResponse(row.image.open("rb"), content_type="image/jpeg")


@login_required
def print_case(request, pk):
    if not access.nominates_anywhere(request.user):
        raise PermissionDenied
    case = _visible_case(request.user, pk)
    return render(
        request,
        "supervision/exemplary/print.html",
        {"case": case, "photos": list(case.photos.all()), "public": False},
    )


# -- the authority ----------------------------------------------------------


@login_required
def review_list(request):
    user = request.user
    if not access.reviews_anywhere(user):
        raise PermissionDenied
    status = request.GET.get("status", CaseStatus.SUBMITTED)
    qs = selectors.filtered(selectors.reviewable(user), status=status, q=request.GET.get("q"))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    base = selectors.reviewable(user)
    counts = {s: base.filter(status=s).count() for s in CaseStatus.values}
    tabs = [(s.value, s.label, counts[s.value]) for s in TABS]
    tabs.append((CaseStatus.REJECTED.value, CaseStatus.REJECTED.label, counts["rejected"]))
    return render(
        request,
        "supervision/exemplary/review_list.html",
        {"page": page, "status": status, "tabs": tabs, "q": request.GET.get("q", "")},
    )


def _case_ctx(request, case, **more):
    return {
        "case": case,
        "photos": list(case.photos.all()),
        "source_label": getattr(evidence.sources().get(case.source_kind), "label", ""),
        "points": services.points(),
        "form": {},
        "errors": {},
        **more,
    }


@login_required
def case(request, pk):
    user = request.user
    if not access.reviews_anywhere(user):
        raise PermissionDenied
    row = selectors.review_or_404(user, pk)
    return render(request, "supervision/exemplary/case.html", _case_ctx(request, row))


@login_required
@require_POST
def decide(request, pk):
    user = request.user
    if not access.reviews_anywhere(user):
        raise PermissionDenied
    row = selectors.review_or_404(user, pk)
    decision = request.POST.get("decision", "")
    try:
        services.review(actor=user, case=row, decision=decision, note=request.POST.get("note"))
    except Refusal as exc:
        _refused(exc)
        if exc.status == 409:  # decided already (another officer, or a second click)
            messages.error(request, exc.message)
            return redirect("exemplary_case", row.pk)
        ctx = _case_ctx(request, row, form=request.POST, errors=errors_of(exc))
        return render(request, "supervision/exemplary/case.html", ctx, status=exc.status)
    messages.success(request, _("审核结果已记录，并已通知推荐单位。"))
    return redirect("exemplary_case", row.pk)


@login_required
@require_POST
def publish(request, pk):
    user = request.user
    if not access.reviews_anywhere(user):
        raise PermissionDenied
    row = selectors.review_or_404(user, pk)
    up = request.POST.get("action") != "unpublish"
    try:
        (services.publish if up else services.unpublish)(actor=user, case=row)
    except Refusal as exc:
        _refused(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已公开发布。") if up else _("已从公开页面撤下。"))
    return redirect("exemplary_case", row.pk)


@login_required
def export(request):
    user = request.user
    if not access.reviews_anywhere(user):
        raise PermissionDenied
    qs = selectors.filtered(
        selectors.reviewable(user), status=request.GET.get("status", ""), q=request.GET.get("q")
    )
    book = Workbook()
    sheet = book.active
    sheet.title = str(_("先进典型"))[:31]
    sheet.append(
        [
            str(_("编号")),
            str(_("标题")),
            str(_("先进个人或集体")),
            str(_("小区")),
            str(_("物业企业")),
            str(_("事迹来源")),
            str(_("事迹日期")),
            str(_("状态")),
            str(_("推荐时间")),
            str(_("入选时间")),
            str(_("发布时间")),
            str(_("审核意见")),
            str(_("事迹")),
        ]
    )

    def when(dt):
        return timezone.localtime(dt).strftime("%Y-%m-%d %H:%M") if dt else ""

    sources = evidence.sources()
    for c in qs.order_by("-nominated_at", "-id")[:5000]:
        source = sources.get(c.source_kind)
        sheet.append(
            [
                c.pk,
                safe_cell(c.title),
                safe_cell(c.people),
                safe_cell(c.compound.name),
                safe_cell(c.company.name),
                str(source.label) if source else c.source_kind,
                c.happened_on.isoformat(),
                str(c.get_status_display()),
                when(c.nominated_at),
                when(c.selected_at),
                when(c.published_at),
                safe_cell(c.review_note),
                safe_cell(c.citation),
            ]
        )
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    out = BytesIO()
    book.save(out)
    audit(actor=user, action="supervision.exemplary.exported", detail={"rows": sheet.max_row - 1})
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"exemplary-cases-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# -- the public -------------------------------------------------------------


def public_list(request):
    page = Paginator(selectors.published(), 20).get_page(request.GET.get("page"))
    return render(request, "supervision/exemplary/public_list.html", {"page": page})


def public_case(request, pk):
    row = selectors.published_or_404(pk)
    return render(
        request,
        "supervision/exemplary/public_case.html",
        {"case": row, "photos": list(row.photos.all()), "public": True},
    )


def public_photo(request, pk):
    row = CasePhoto.objects.filter(pk=pk, case__status=CaseStatus.PUBLISHED).first()
    if row is None:
        raise Http404(_(NOT_FOUND))
    return FileResponse(row.image.open("rb"), content_type="image/jpeg")
