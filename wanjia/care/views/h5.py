"""The caretaker's phone pages: today's visits by building with one-tap
outcomes (large type with the elder toggle), a visit's detail with what to
look for, health notes (for who may read them; each read audited) and the
emergency contacts masked, each revealed on a tap (audited)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wanjia.core import pii
from wanjia.core.errors import Refusal, errors_of

from .. import access, selectors, selectors_duty, services
from ..models import EscalationStatus, FollowUpKind, Mode, Outcome, Result


def _require_visit(user) -> None:
    if not (access.visits_anywhere(user) or access.views_anywhere(user)):
        raise PermissionDenied


def _visit(request, pk):
    _require_visit(request.user)
    return selectors.get_or_404(
        selectors.visit_rows(request.user),
        pk=pk,
    )


@login_required
def today(request):
    if not access.visits_anywhere(request.user):
        raise PermissionDenied
    return render(
        request,
        "care/h5_today.html",
        {
            **selectors.my_visits(request.user),
            "duty": selectors_duty.my_duty(request.user, limit=1),
            "outcomes": Outcome.choices,
            "tab": "home",
        },
    )


def _detail(request, visit, errors=None, status=200):
    person = visit.person
    health = services.health_read(actor=request.user, person=person)
    esc = getattr(visit, "escalation", None) if hasattr(visit, "escalation") else None
    return render(
        request,
        "care/h5_visit.html",
        {
            "visit": visit,
            "person": person,
            "name": person.resident.name,
            "health": health,
            "contacts": [
                {"n": n, "name": c.get("name", ""), "phone": pii.mask_phone(c.get("phone", ""))}
                for n, c in enumerate(person.contacts)
            ],
            "escalation": esc,
            "open": esc is not None and esc.status == EscalationStatus.OPEN,
            "outcomes": Outcome.choices,
            "modes": Mode.choices,
            "help_kinds": FollowUpKind.choices,
            "followups": selectors_duty.followups_of_visit(visit),
            "results": Result.choices,
            "may_record": access.may_record(request.user, visit) and not visit.outcome,
            "errors": errors or {},
            "tab": "home",
        },
        status=status,
    )


@login_required
def visit(request, pk):
    return _detail(request, _visit(request, pk))


@login_required
@require_POST
def outcome(request, pk):
    v = _visit(request, pk)
    try:
        services.record_outcome(
            actor=request.user,
            visit=v,
            outcome=request.POST.get("outcome", ""),
            note=request.POST.get("note", ""),
            mode=request.POST.get("mode", Mode.IN_PERSON),
            help_kind=request.POST.get("help_kind", ""),
            referral_to=request.POST.get("referral_to", ""),
        )
    except Refusal as exc:
        if exc.status in (403,):
            raise PermissionDenied from None
        v.refresh_from_db()
        return _detail(request, v, errors_of(exc), status=exc.status)
    messages.success(request, _("已记录。"))
    return redirect("care_h5_today")


@login_required
@require_POST
def reveal(request, pk, n):
    v = _visit(request, pk)
    try:
        phone = services.contact_reveal(actor=request.user, person=v.person, index=n)
    except Refusal as exc:
        if exc.status == 403:
            raise PermissionDenied from None
        return HttpResponse(exc.message, status=exc.status)
    if request.htmx:
        return HttpResponse(format_html('<a class="btn" href="tel:{0}">{0}</a>', phone))
    messages.info(request, phone)
    return redirect("care_h5_visit", v.pk)
