"""Standing stock pages: a company's admin keeps the company's store, a
compound's responders keep the compound's own stock; one form per owner,
every supply a number."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from wanjia.core.errors import Refusal, errors_of
from wanjia.core.models import Compound
from wanjia.core.roles import CAPABILITIES
from wanjia.core.scoping import compound_gate, get_or_404, scope_q

from .. import selectors
from ..models import Supply
from ..services import stock


def _compounds(user):
    return Compound.objects.filter(
        scope_q(user, roles=CAPABILITIES["emergency.respond"], compound="id")
    ).order_by("name", "pk")


def _sheets(user, posted=None, errors=None):
    sheets = []
    for company in stock.companies_kept_by(user).order_by("name", "pk"):
        key = f"company:{company.pk}"
        sheets.append(
            {
                "key": key,
                "title": _("%(name)s · 企业储备库") % {"name": company.name},
                "rows": selectors.stock_sheet(company=company),
            }
        )
    for compound in _compounds(user):
        sheets.append(
            {
                "key": f"compound:{compound.pk}",
                "title": _("%(name)s · 小区储备") % {"name": compound.name},
                "rows": selectors.stock_sheet(compound=compound),
            }
        )
    for sheet in sheets:
        if posted is not None and sheet["key"] == posted.get("owner"):
            sheet["errors"] = errors or {}
            for row in sheet["rows"]:
                row["quantity"] = posted.get(f"qty_{row['supply']}", row["quantity"])
                row["error"] = (errors or {}).get(f"qty_{row['supply']}", [])
    return sheets


@login_required
def stock_page(request):
    user = request.user
    if not (stock.companies_kept_by(user).exists() or _compounds(user).exists()):
        raise PermissionDenied
    if request.method != "POST":
        return render(request, "emergency/stock.html", {"sheets": _sheets(user)})
    kind, _sep, raw = request.POST.get("owner", "").partition(":")
    if kind not in ("company", "compound") or not (raw.isascii() and raw.isdigit()):
        return render(
            request,
            "emergency/stock.html",
            {"sheets": _sheets(user), "error": _("请选择要保存的储备库。")},
            status=422,
        )
    if kind == "company":
        owner = {"company": get_or_404(stock.companies_kept_by(user), pk=int(raw))}
    else:
        owner = {"compound": compound_gate(user, int(raw), stock.keeps_compound)}
    counts = {s: request.POST.get(f"qty_{s}") for s in Supply.values if f"qty_{s}" in request.POST}
    try:
        changed = stock.stock_set(actor=user, counts=counts, **owner)
    except Refusal as exc:
        if exc.status == 403:
            raise PermissionDenied from None
        ctx = {"sheets": _sheets(user, request.POST, errors_of(exc))}
        return render(request, "emergency/stock.html", ctx, status=exc.status)
    if changed:
        messages.success(request, _("储备已保存。"))
    else:
        messages.info(request, _("数量没有变化，未作修改。"))
    return redirect("emergency_stock")
