"""Credit pages: the authority's list (scores, ranking, red and black lists),
a company's score with its formula and every item's evidence, the authority's
conduct records; a company admin's own score in the console. Pages read the
stored scores."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wanjia.core.errors import Invalid, Refusal, errors_of
from wanjia.core.models import Company
from wanjia.core.scoping import get_or_404

from .. import sheets
from ..rollups import access as rollup_access
from ..rollups.services import periods_back
from ..rollups.views import _area, _period
from . import access, selectors, services
from .models import ConductRecord, RecordKind


def _companies_in(region):
    from ..rollups.selectors import area_companies

    return area_companies(region)


def _list_ctx(request) -> dict:
    region = _area(request)
    period, period_error = _period(request)
    rows = selectors.company_ranking(period, _companies_in(region))
    return {
        "region": region,
        "period": period,
        "period_error": period_error,
        "rows": rows,
        "top": {r["company_id"] for r in rows[:5]},
        "bottom": {r["company_id"] for r in rows[-5:]} if len(rows) > 5 else set(),
        "red": [r for r in rows if r["red"]],
        "black": [r for r in rows if r["black"]],
        "cfg": services.config(),
        "may_record": access.may_record(request.user),
        "kinds": RecordKind.choices,
        "all_companies": _companies_in(region),
    }


@login_required
def companies(request):
    if not rollup_access.supervises(request.user):
        raise PermissionDenied
    ctx = _list_ctx(request)
    if request.GET.get("format") == "xlsx":
        head = [_("名次"), _("物业企业"), _("信用分"), _("等级"), _("红黑名单"), _("较上期")]
        body = [
            [
                r["rank"],
                r["name"],
                float(r["score"]),
                r["grade"],
                _("黑名单") if r["black"] else (_("红名单") if r["red"] else ""),
                r["move"] if r["move"] is not None else "",
            ]
            for r in ctx["rows"]
        ]
        return sheets.xlsx_response(_("企业信用"), [head, *body], f"credit-{ctx['period']}.xlsx")
    return render(request, "supervision/credit/companies.html", ctx)


@login_required
def company(request, pk):
    if not access.reads_any(request.user):
        raise PermissionDenied
    target = get_or_404(access.companies_of(request.user), pk=pk)
    period, period_error = _period(request)
    score = selectors.score_of(target.pk, period)
    items = list(score.items.all()) if score else []
    if request.GET.get("format") == "xlsx" and score:
        head = [_("规则"), _("事项"), _("日期"), _("分值"), _("证据")]
        body = [
            [
                i.rule,
                i.label,
                i.happened_on.isoformat(),
                float(i.points),
                request.build_absolute_uri(i.url) if i.url else "",
            ]
            for i in items
        ]
        return sheets.xlsx_response(
            _("信用明细"), [head, *body], f"credit-{target.pk}-{period}.xlsx"
        )
    periods = periods_back(period, 12)
    gov = rollup_access.supervises(request.user)
    from wanjia.core import conduct

    rules = {r.code: r for r in conduct.rules()}
    for item in items:
        rule = rules.get(item.rule)
        item.rule_label = rule.label if rule else _("加分上限")
    return render(
        request,
        "supervision/credit/company.html",
        {
            "base_template": "gov/base.html" if gov else "console/base.html",
            "company": target,
            "period": period,
            "period_error": period_error,
            "score": score,
            "good_items": [i for i in items if i.kind == "good"],
            "bad_items": [i for i in items if i.kind == "bad"],
            "rules": rules,
            "history": list(zip(periods, selectors.history(target.pk, periods), strict=True)),
            "window": services.window(period),
            "cfg": services.config(),
        },
    )


@login_required
def mine(request):
    """A company admin's own score (the first company the admin runs)."""
    first = access.companies_of(request.user).order_by("pk").first()
    if first is None:
        raise PermissionDenied
    return redirect("supervision_company", first.pk)


@login_required
@require_POST
def record_new(request):
    if not access.may_record(request.user):
        raise PermissionDenied
    form = request.POST
    company = Company.objects.filter(
        pk=int(form["company"]) if form.get("company", "").isdigit() else 0
    ).first()
    try:
        if company is None or not access.companies_of(request.user).filter(pk=company.pk).exists():
            raise Invalid({"company": [_("请选择辖区内的物业企业。")]})
        try:
            happened = date.fromisoformat(form.get("happened_on", ""))
        except ValueError:
            happened = None
        services.record_add(
            actor=request.user,
            company=company,
            kind=form.get("kind", ""),
            title=form.get("title", ""),
            points=form.get("points", ""),
            happened_on=happened,
            note=form.get("note", ""),
        )
    except Refusal as exc:
        ctx = {**_list_ctx(request), "rform": form, "rerrors": errors_of(exc)}
        return render(request, "supervision/credit/companies.html", ctx, status=exc.status)
    messages.success(request, _("已登记。明日凌晨重新评分后计入信用分；也可以立即重新计算。"))
    return redirect("supervision_credit")


@login_required
def record(request, pk):
    """One record of the authority's, as evidence: readable by whoever may read
    the company's credit."""
    if not access.reads_any(request.user):
        raise PermissionDenied
    item = get_or_404(
        ConductRecord.objects.filter(company__in=access.companies_of(request.user)).select_related(
            "company", "recorded_by"
        ),
        pk=pk,
    )
    gov = rollup_access.supervises(request.user)
    return render(
        request,
        "supervision/credit/record.html",
        {"record": item, "base_template": "gov/base.html" if gov else "console/base.html"},
    )


@login_required
@require_POST
def rescore(request):
    if not access.may_record(request.user):
        raise PermissionDenied
    period, _error = _period(request)
    services.score_month(period)
    messages.success(request, _("已按最新记录重新计算 %(p)s 的信用分。") % {"p": period})
    return redirect(f"{reverse('supervision_credit')}?period={period}")
