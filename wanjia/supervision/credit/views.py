"""The credit pages: the regulator's (gov shell) companies' scores and
rankings, red and black lists, a company's score with its formula and evidence,
settings, awards and the objections queue; the company admin's (console shell)
own score, lodging and following objections. Excel and A4 print of scores,
items, rankings and lists."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wanjia.core import conduct, sheets
from wanjia.core.audit import audit
from wanjia.core.errors import Invalid, Refusal, errors_of
from wanjia.core.roles import Role
from wanjia.core.scoping import memberships_of

from . import access, periods, selectors, services
from .models import ObjectionKind, ObjectionStatus


def _need(user, check):
    if not check(user):
        raise PermissionDenied


def _base(user) -> str:
    return "gov/base.html" if access.is_regulator(user) else "console/base.html"


def _period(request) -> tuple[str, dict]:
    try:
        return periods.parse(request.GET.get("period")), {}
    except Refusal as exc:
        return periods.current(), errors_of(exc)


def _region(request, user):
    raw = request.GET.get("region") or ""
    if not raw.isdigit():
        return None
    region = selectors.regions_for(user).filter(pk=int(raw)).first()
    if region is None:
        raise Http404(_("未找到该记录。"))
    return region


def _formula(score) -> str:
    return _("%(base)s（基础分）+ %(good)s（加分，上限 %(cap)s）− %(bad)s（扣分）= %(score)s") % {
        "base": _num(score.base),
        "good": _num(score.good),
        "cap": _num(score.good_cap),
        "bad": _num(score.bad),
        "score": _num(score.score),
    }


def _num(value) -> str:
    return f"{value:g}"


def _rules_ctx():
    return [
        {"code": r.code, "label": r.label, "kind": r.kind, "note": r.note, "serious": r.serious}
        for r in conduct.rules()
    ]


# -- regulator ---------------------------------------------------------------


RANKING_PER_PAGE = 25


@login_required
def companies(request):
    """Ranking of the area's companies for a period (top and bottom five
    highlighted, movement since last period); ?list=red|black the lists."""
    user = request.user
    _need(user, access.is_regulator)
    period, errors = _period(request)
    region = _region(request, user)
    which = request.GET.get("list") or ""
    ctx = {
        "period": period,
        "periods": periods.recent(periods.current(), 12),
        "errors": errors,
        "region": region,
        "regions": selectors.regions_for(user),
        "which": which if which in ("red", "black") else "",
        "settings": selectors.settings(),
        "pending": selectors.pending_objections(user).count(),
    }
    if ctx["which"]:
        ctx["listed"] = selectors.lists(user, period, black=ctx["which"] == "black")
    else:
        # every company ranked (the ranks and the top and bottom five need them
        # all), a page of them shown: a city has a hundred and more
        ranked = selectors.ranking(user, period, region=region)
        ctx["page"] = Paginator(ranked, RANKING_PER_PAGE).get_page(request.GET.get("page"))
        ctx["rows"] = ctx["page"].object_list
    return render(request, "supervision/credit/companies.html", ctx, status=422 if errors else 200)


def _score_ctx(request, company, period):
    score = selectors.score_of(company, period)
    items = list(score.items.all()) if score else []
    pending = {
        o.ref: o for o in selectors.objections_of(company).filter(status=ObjectionStatus.PENDING)
    }
    return {
        "company": company,
        "period": period,
        "periods": periods.recent(periods.current(), 12),
        "score": score,
        "formula": _formula(score) if score else "",
        "good_items": [i for i in items if i.kind == conduct.GOOD],
        "bad_items": [i for i in items if i.kind == conduct.BAD],
        "pending_refs": pending,
        "objections": selectors.objections_of(company).select_related("decided_by")[:50],
        "history": selectors.history(company, period),
        "rules": _rules_ctx(),
        "base_template": _base(request.user),
        "can_object": access.can_object(request.user) and not access.is_regulator(request.user),
        "kinds": ObjectionKind.choices,
    }


@login_required
def company(request, company_id):
    user = request.user
    _need(user, access.can_view)
    target = selectors.company_or_404(user, company_id)
    period, errors = _period(request)
    ctx = _score_ctx(request, target, period)
    ctx["errors"] = errors
    return render(request, "supervision/credit/company.html", ctx, status=422 if errors else 200)


@login_required
def mine(request):
    """The company admin's own company (the first, when it holds several)."""
    user = request.user
    _need(user, access.can_object)
    own = [m.company_id for m in memberships_of(user) if m.role == Role.COMPANY_ADMIN]
    if not own:
        raise PermissionDenied
    return company(request, own[0])


@login_required
def settings_page(request):
    user = request.user
    _need(user, access.can_manage)
    current = selectors.settings()
    form, errors, status = {}, {}, 200
    if request.method == "POST":
        form = request.POST
        try:
            services.settings_update(actor=user, values=request.POST)
        except Refusal as exc:
            errors, status = errors_of(exc), exc.status
        else:
            messages.success(request, _("信用评分设置已保存，下次计算起生效。"))
            return redirect("credit_settings")
    rules = []
    for r in conduct.rules(conduct.BAD) + conduct.rules(conduct.GOOD):
        key = f"points:{r.code}"
        value = (
            form.get(key) if form else (current.rule_params or {}).get(r.code, {}).get("points", "")
        )
        rules.append(
            {
                "code": r.code,
                "label": r.label,
                "note": r.note,
                "kind": r.kind,
                "key": key,
                "value": value,
                "errors": errors.get(key),
            }
        )
    return render(
        request,
        "supervision/credit/settings.html",
        {
            "s": current,
            "form": form,
            "errors": errors,
            "rules": rules,
            "fields": services.SETTING_FIELDS,
        },
        status=status,
    )


@login_required
def awards(request):
    user = request.user
    _need(user, access.can_manage)
    form, errors, status = {}, {}, 200
    if request.method == "POST":
        form = request.POST
        try:
            raw_company = request.POST.get("company") or ""
            if not raw_company.isdigit():
                raise Invalid({"company": [_("请选择企业。")]})
            target = selectors.companies_visible(user).filter(pk=int(raw_company)).first()
            if target is None:
                raise Invalid({"company": [_("请选择企业。")]})
            awarded_on = (
                parse_date(request.POST.get("awarded_on") or "")
                if len(request.POST.get("awarded_on") or "") <= 10
                else None
            )
            if awarded_on is None and request.POST.get("awarded_on"):
                raise Invalid({"awarded_on": [_("日期格式应为 YYYY-MM-DD。")]})
            services.award_record(
                actor=user,
                company=target,
                title=request.POST.get("title", ""),
                issuer=request.POST.get("issuer", ""),
                awarded_on=awarded_on,
                points=request.POST.get("points", ""),
                note=request.POST.get("note", ""),
            )
        except (Refusal, ValueError) as exc:
            errors = (
                errors_of(exc)
                if isinstance(exc, Refusal)
                else {"awarded_on": [_("日期格式应为 YYYY-MM-DD。")]}
            )
            status = getattr(exc, "status", 422)
        else:
            messages.success(request, _("表彰已录入，计入当月信用加分。"))
            return redirect("credit_awards")
    return render(
        request,
        "supervision/credit/awards.html",
        {
            "awards": selectors.awards_visible(user)[:200],
            "companies": selectors.companies_visible(user).order_by("name"),
            "form": form,
            "errors": errors,
            "today": timezone.localdate(),
        },
        status=status,
    )


@login_required
def award(request, pk):
    """One award: the evidence page a good-conduct item links to."""
    user = request.user
    _need(user, access.can_view)
    found = selectors.award_or_404(user, pk)
    return render(
        request,
        "supervision/credit/award.html",
        {"award": found, "base_template": _base(user)},
    )


@login_required
def objections(request):
    user = request.user
    _need(user, access.can_view)
    status = request.GET.get("status") or ""
    if status not in ObjectionStatus.values:
        status = ""
    rows = selectors.objections_visible(user, status=status).order_by("status", "due_at")[:200]
    return render(
        request,
        "supervision/credit/objections.html",
        {
            "rows": rows,
            "status": status,
            "statuses": ObjectionStatus.choices,
            "base_template": _base(user),
            "now": timezone.now(),
        },
    )


@login_required
def objection(request, pk):
    user = request.user
    _need(user, access.can_view)
    found = selectors.objection_or_404(user, pk)
    errors, status = {}, 200
    if request.method == "POST":
        _need(user, access.can_manage)
        try:
            services.objection_decide(
                actor=user,
                objection=found,
                upheld=request.POST.get("decision") == "uphold",
                reason=request.POST.get("reason", ""),
            )
        except Refusal as exc:
            errors, status = errors_of(exc), exc.status
        else:
            messages.success(request, _("已裁定，并通知企业。"))
            return redirect("credit_objection", pk=found.pk)
    return render(
        request,
        "supervision/credit/objection.html",
        {
            "o": found,
            "errors": errors,
            "form": request.POST,
            "base_template": _base(user),
            "can_decide": access.can_manage(user),
        },
        status=status,
    )


@login_required
def objection_file(request, pk):
    user = request.user
    _need(user, access.can_view)
    found = selectors.objection_or_404(user, pk)
    if not found.file:
        raise Http404(_("未找到该记录。"))
    pdf = found.file.name.endswith(".pdf")
    return FileResponse(
        found.file.open("rb"),
        content_type="application/pdf" if pdf else "image/jpeg",
        as_attachment=pdf,
        filename=f"objection-{found.pk}.{'pdf' if pdf else 'jpg'}",
    )


@login_required
@require_POST
def objection_new(request, item_id):
    """A company admin contests a deduction (or shows it rectified)."""
    user = request.user
    _need(user, access.can_object)
    item = selectors.item_or_404(user, item_id)
    try:
        found = services.objection_lodge(
            actor=user,
            item=item,
            kind=request.POST.get("kind", ""),
            text=request.POST.get("text", ""),
            upload=request.FILES.get("file"),
        )
    except Refusal as exc:
        ctx = _score_ctx(request, item.score.company, item.score.period)
        ctx["errors"] = {}
        ctx["item_errors"] = {item.pk: errors_of(exc)}
        ctx["form"] = request.POST
        return render(request, "supervision/credit/company.html", ctx, status=exc.status)
    messages.success(request, _("已提交，监管部门将在办理时限内裁定。"))
    return redirect("credit_objection", pk=found.pk)


# -- exports -----------------------------------------------------------------

EXPORTS = ("ranking", "items", "red", "black")


def _export_rows(request, kind):
    user = request.user
    period = periods.parse(request.GET.get("period"))
    if kind == "items":
        raw = request.GET.get("company") or ""
        if not raw.isdigit():
            raise Http404(_("未找到该记录。"))
        target = selectors.company_or_404(user, int(raw))
        score = selectors.score_of(target, period)
        head = [
            _("企业"),
            _("规则"),
            _("加/扣"),
            _("分值"),
            _("计入"),
            _("事由"),
            _("小区"),
            _("日期"),
            _("证据"),
        ]
        rows = []
        for i in score.items.all() if score else []:
            rows.append(
                [
                    target.name,
                    str(conduct.rule(i.rule).label)
                    if i.rule in {r.code for r in conduct.rules()}
                    else i.rule,
                    _("加分") if i.kind == conduct.GOOD else _("扣分"),
                    i.points,
                    i.counted,
                    i.label,
                    i.compound.name if i.compound else "",
                    i.happened_on.isoformat(),
                    request.build_absolute_uri(i.url) if i.url else "",
                ]
            )
        title = _("%(name)s %(period)s 信用分明细") % {"name": target.name, "period": period}
        return title, head, rows, target, score
    _need(user, access.is_regulator)
    head = [
        _("排名"),
        _("企业"),
        _("信用分"),
        _("等级"),
        _("基础分"),
        _("加分"),
        _("扣分"),
        _("较上期"),
    ]
    rows = []
    if kind == "ranking":
        for r in selectors.ranking(user, period, region=_region(request, user)):
            s = r["row"]
            rows.append(
                [
                    r["rank"],
                    r["company"].name,
                    s.score,
                    s.grade,
                    s.base,
                    s.good,
                    s.bad,
                    "" if r["movement"] is None else r["movement"],
                ]
            )
        title = _("%(period)s 物业企业信用排名") % {"period": period}
    else:
        listed = selectors.lists(user, period, black=kind == "black")
        for n, s in enumerate(listed, 1):
            rows.append([n, s.company.name, s.score, s.grade, s.base, s.good, s.bad, ""])
        title = (_("%(period)s 黑名单") if kind == "black" else _("%(period)s 红名单")) % {
            "period": period
        }
    return title, head, rows, None, None


@login_required
def export(request, kind):

    user = request.user
    _need(user, access.can_view)
    if kind not in EXPORTS:
        raise Http404(_("未找到该记录。"))
    try:
        title, head, rows, _target, _score = _export_rows(request, kind)
    except Refusal as exc:
        return HttpResponse(
            exc.message, status=exc.status, content_type="text/plain; charset=utf-8"
        )
    response = sheets.xlsx_response(
        kind, [list(head), *rows], f"credit-{kind}.xlsx", widths=(), caption=str(title)
    )
    audit(
        actor=user,
        action="supervision.credit.export",
        detail={"kind": kind, "query": request.GET.dict()},
    )
    return response


@login_required
def print_page(request, kind):
    user = request.user
    _need(user, access.can_view)
    if kind not in EXPORTS:
        raise Http404(_("未找到该记录。"))
    try:
        title, head, rows, target, score = _export_rows(request, kind)
    except Refusal as exc:
        return HttpResponse(
            exc.message, status=exc.status, content_type="text/plain; charset=utf-8"
        )
    return render(
        request,
        "supervision/credit/print.html",
        {
            "title": title,
            "head": head,
            "rows": rows,
            "score": score,
            "formula": _formula(score) if score else "",
            "printed_at": timezone.now(),
        },
    )
