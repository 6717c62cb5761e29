"""The company's ticket categories with their response and completion targets."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from wanjia.core.errors import Refusal, errors_of

from .. import access, selectors, services
from ..services.categories import DUTIES


@login_required
def categories_home(request):
    companies = list(selectors.companies_for(request.user))
    if not companies:
        raise PermissionDenied
    if len(companies) == 1:
        return categories(request, companies[0].pk)
    return render(request, "tickets/categories_home.html", {"companies": companies})


def _company(request, company_id):
    company = selectors.get_or_404(selectors.companies_seen(request.user), pk=company_id)
    if not access.can_edit_categories(request.user, company):
        raise PermissionDenied
    return company


def _category_fields(post) -> dict:
    return {
        "name": post.get("name", ""),
        "respond_minutes": post.get("respond_minutes", ""),
        "finish_hours": post.get("finish_hours", ""),
        "urgent": post.get("urgent") == "1",
        "duty": post.get("duty", ""),
        "active": post.get("active", "1") == "1",
    }


@login_required
def categories(request, company_id):
    company = _company(request, company_id)
    services.categories_ensure(company)
    errors, post = {}, {}
    if request.method == "POST":
        post = request.POST
        try:
            services.category_save(
                actor=request.user,
                company=company,
                code=post.get("code", ""),
                **_category_fields(post),
            )
        except Refusal as exc:
            if exc.status == 403:
                raise PermissionDenied from None
            errors = errors_of(exc)
        else:
            messages.success(request, _("已添加类别。"))
            return redirect("tickets_categories", company.pk)
    return render(
        request,
        "tickets/categories.html",
        {
            "company": company,
            "rows": selectors.categories_of(company, active_only=False),
            "duties": DUTIES,
            "errors": errors,
            "post": post,
        },
        status=422 if errors else 200,
    )


@login_required
def category_edit(request, pk):
    category = selectors.get_or_404(selectors.category_rows_for(request.user), pk=pk)
    company = _company(request, category.company_id)
    errors, post = {}, {}
    if request.method == "POST":
        post = request.POST
        try:
            services.category_save(
                actor=request.user, company=company, category=category, **_category_fields(post)
            )
        except Refusal as exc:
            if exc.status == 403:
                raise PermissionDenied from None
            errors = errors_of(exc)
            category.refresh_from_db()
        else:
            messages.success(request, _("已保存。"))
            return redirect("tickets_categories", company.pk)
    return render(
        request,
        "tickets/category.html",
        {"company": company, "c": category, "duties": DUTIES, "errors": errors, "post": post},
        status=422 if errors else 200,
    )
