"""Party pages: the members of a branch."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wanjia.estates.selectors import get_or_404

from .. import selectors, services
from ..models import (
    BranchRole,
    MemberStatus,
)
from .common import _back, _base, _compound, _errors, _int, _render

# ---------------------------------------------------------------- members


MEMBERS_PER_PAGE = 50
ROLE_RANK = {r: i for i, r in enumerate(BranchRole.values)}


def _member_rank(m):
    """Secretary first, the transferred last: the order a branch lists itself in."""
    return (m.status == MemberStatus.TRANSFERRED, ROLE_RANK[m.role], m.name)


def _members_ctx(request, compound) -> dict:
    ctx = _base(request, compound, "members")
    members = sorted(selectors.members_with_duties(request.user, compound), key=_member_rank)
    ctx.update(
        # the register, 50 a page with the total
        members=Paginator(members, MEMBERS_PER_PAGE).get_page(request.GET.get("page")),
        candidates=selectors.resident_candidates(compound),
        staff_candidates=selectors.staff_candidates(compound),
        roles=BranchRole.choices,
        statuses=MemberStatus.choices,
    )
    return ctx


@login_required
def members(request):
    compound = _compound(request)
    return render(request, "party/members.html", _members_ctx(request, compound))


@login_required
@require_POST
def member_add(request):
    compound = _compound(request)
    branch = next(
        (b for b in compound.party_branches.all() if b.pk == _int(request.POST.get("branch"))), None
    )
    person = request.POST.get("person", "")
    resident = staff = None
    if person.startswith("r"):
        resident = selectors.resident_of(compound, _int(person[1:]))
    elif person.startswith("s"):
        staff = selectors.staff_of(compound, _int(person[1:]))
    try:
        if branch is None:
            raise ValidationError({"branch": _("请先选择党支部。")})
        services.member_add(
            actor=request.user,
            branch=branch,
            resident=resident,
            staff=staff,
            role=request.POST.get("role", BranchRole.MEMBER),
            status=request.POST.get("status", MemberStatus.FULL),
            joined_on=parse_date(request.POST.get("joined_on") or "") or None,
            show_badge=request.POST.get("show_badge") == "on",
        )
    except (ValidationError, ValueError) as exc:
        errors = (
            _errors(exc)
            if isinstance(exc, ValidationError)
            else {"joined_on": [_("日期格式应为 YYYY-MM-DD。")]}
        )
        return _render(
            request, "party/members.html", _members_ctx(request, compound), errors, "add"
        )
    messages.success(request, _("党员已登记。"))
    return redirect(_back("party_members", compound))


@login_required
@require_POST
def member_edit(request, pk):
    member = get_or_404(selectors.members_visible_to(request.user), pk=pk)
    data = {
        "role": request.POST.get("role", member.role),
        "status": request.POST.get("status", member.status),
        "show_badge": request.POST.get("show_badge") == "on",
    }
    try:
        services.member_update(actor=request.user, member=member, data=data)
    except ValidationError as exc:
        return _render(
            request,
            "party/members.html",
            _members_ctx(request, member.compound),
            _errors(exc),
            f"edit{member.pk}",
        )
    messages.success(request, _("已保存 %(name)s 的信息。") % {"name": member.name})
    return redirect(_back("party_members", member.compound))
