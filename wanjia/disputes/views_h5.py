"""Resident pages on the phone: report a dispute, follow my cases, rate, reopen.

A resident sees only the cases their household is a party to; nothing here
shows the mediators' notes."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wanjia.core.errors import errors_of
from wanjia.estates.selectors import get_or_404

from . import selectors, services
from .models import Category
from .views import _int, case_context

# the categories a resident meets first, in the order they are shown
RESIDENT_CATEGORIES = [
    Category.LEAK,
    Category.NOISE,
    Category.PARKING,
    Category.PETS,
    Category.RENOVATION,
    Category.SHARED_SPACE,
    Category.FEES,
    Category.SERVICE,
    Category.OTHER,
]


@login_required
def my_cases(request):
    return render(
        request,
        "disputes/h5_list.html",
        {"cases": selectors.my_party_cases(request.user), "tab": "services"},
    )


def _report_context(user, post=None, errors=None) -> dict:
    homes = list(selectors.my_households(user))
    home = homes[0] if homes else None
    return {
        "home": home,
        "neighbours": selectors.neighbours(home),
        "categories": [(c.value, c.label) for c in RESIDENT_CATEGORIES],
        "post": post or {},
        "errors": errors or {},
        "tab": "services",
    }


@login_required
def report(request):
    """报告矛盾纠纷: what happened, with whom; the case goes to the building."""
    user = request.user
    ctx = _report_context(user)
    if ctx["home"] is None:
        return render(request, "disputes/h5_report.html", ctx, status=403)
    if request.method != "POST":
        return render(request, "disputes/h5_report.html", ctx)
    post = request.POST
    other = _int(post.get("other"))
    households = selectors.neighbour(ctx["neighbours"], other) if other else []
    try:
        case = services.case_open(
            actor=user,
            compound=ctx["home"].compound,
            category=post.get("category", ""),
            summary=post.get("summary", ""),
            households=households,
            company_party=post.get("company") == "on",
        )
    except ValidationError as exc:
        ctx.update(post=post, errors=errors_of(exc))
        template = "disputes/_h5_report_form.html" if request.htmx else "disputes/h5_report.html"
        return render(request, template, ctx, status=422)
    if request.htmx:
        return render(request, "disputes/_h5_reported.html", {"case": case})
    return redirect("disputes_h5_case", case.pk)


def _h5_case(request, pk):
    return get_or_404(selectors.cases_visible_to(request.user), pk=pk)


@login_required
def case_detail(request, pk):
    case = _h5_case(request, pk)
    ctx = case_context(request.user, case, tab="services")
    return render(request, "disputes/h5_case.html", ctx)


def _h5_act(request, pk, form, action, message):
    case = _h5_case(request, pk)
    try:
        action(case)
    except ValidationError as exc:
        ctx = case_context(
            request.user,
            case,
            errors={form: errors_of(exc)},
            post={form: request.POST},
            tab="services",
        )
        template = "disputes/_h5_case.html" if request.htmx else "disputes/h5_case.html"
        return render(request, template, ctx, status=422)
    case = _h5_case(request, pk)
    if request.htmx:
        ctx = case_context(request.user, case, flash=message, tab="services")
        return render(request, "disputes/_h5_case.html", ctx)
    return redirect("disputes_h5_case", pk)


@login_required
@require_POST
def rate(request, pk):
    def action(case):
        score = _int(request.POST.get("score"))
        if score is None:
            raise ValidationError({"score": _("请选择满意度。")})
        services.case_rate(
            actor=request.user, case=case, score=score, comment=request.POST.get("comment", "")
        )

    return _h5_act(request, pk, "rate", action, _("谢谢您的评价！"))


@login_required
@require_POST
def reopen(request, pk):
    return _h5_act(
        request,
        pk,
        "reopen",
        lambda c: services.case_reopen(
            actor=request.user, case=c, reason=request.POST.get("reason", "")
        ),
        _("已重新提交，调解员会再联系您。"),
    )
