"""Console pages: the care list (filters, add and edit with field errors),
today's visits of a compound, and the escalation board (open steps, owner,
due, acknowledge, resolve)."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wanjia.core import pii
from wanjia.core.errors import Refusal, errors_of
from wanjia.core.scoping import compound_gate, gate

from .. import access, selectors, services
from ..models import CarePerson, Escalation, Level, Reason, Result, Step


@login_required
def home(request):
    compounds = list(selectors.compounds_for(request.user))
    if not compounds:
        raise PermissionDenied
    if len(compounds) == 1:
        return people(request, compounds[0].pk)
    return render(request, "care/home.html", {"compounds": compounds})


def _form_fields(post) -> dict:
    raw_days = (post.get("custom_days") or "").strip()
    try:
        days = int(raw_days) if raw_days else None
    except ValueError:
        days = -1
    contacts = [
        {"name": post.get(f"contact_name_{i}", ""), "phone": post.get(f"contact_phone_{i}", "")}
        for i in range(3)
    ]
    return {
        "reason": post.get("reason", ""),
        "level": post.get("level", ""),
        "custom_days": days,
        "health_notes": post.get("health_notes", ""),
        "what_to_look_for": post.get("what_to_look_for", ""),
        "contacts": contacts,
    }


def _caretakers(post, compound):
    ids = [int(x) for x in post.getlist("caretakers") if x.isdigit()]
    return selectors.users_by_ids(ids)


@login_required
def people(request, compound_id):
    compound = compound_gate(request.user, compound_id, access.can_view)
    manage = access.can_manage(request.user, compound)
    errors, form = {}, {}
    if request.method == "POST":
        if not manage:
            raise PermissionDenied
        form = request.POST
        rid = request.POST.get("resident", "")
        resident = selectors.compound_resident(compound, int(rid)) if rid.isdigit() else None
        try:
            services.person_create(
                actor=request.user,
                compound=compound,
                resident=resident,
                caretakers=_caretakers(request.POST, compound),
                **_form_fields(request.POST),
            )
        except Refusal as exc:
            if exc.status == 403:
                raise PermissionDenied from None
            errors = errors_of(exc)
        else:
            messages.success(request, _("已加入关爱名单。"))
            return redirect("care_people", compound.pk)
    level, reason, q = (
        request.GET.get("level", ""),
        request.GET.get("reason", ""),
        request.GET.get("q", ""),
    )
    rows = selectors.people_list(request.user, compound, level=level, reason=reason, q=q)
    return render(
        request,
        "care/people.html",
        {
            "compound": compound,
            "people": rows[:300],
            "total": rows.count(),
            "manage": manage,
            "levels": Level.choices,
            "reasons": Reason.choices,
            "filters": {"level": level, "reason": reason, "q": q},
            "candidates": selectors.candidates(compound) if manage else [],
            "caretaker_choices": selectors.caretaker_choices(compound) if manage else [],
            "errors": errors,
            "form": form,
            "tab": "people",
        },
        status=422 if errors else 200,
    )


def _person(request, pk) -> CarePerson:
    return gate(
        request.user,
        selectors.person_rows(),
        pk,
        compound="compound_id",
        allowed=lambda p: access.can_manage(request.user, p.compound),
    )


@login_required
def person_edit(request, pk):
    person = _person(request, pk)
    errors = {}
    if request.method == "POST":
        fields = _form_fields(request.POST)
        contacts = fields.pop("contacts")
        # a masked phone left as shown keeps the stored number
        stored = person.contacts
        for i, c in enumerate(contacts):
            if i < len(stored) and c["phone"] == pii.mask_phone(stored[i].get("phone", "")):
                c["phone"] = stored[i].get("phone", "")
            if i < len(stored) and c["name"] == stored[i].get("name") and stored[i].get("relation"):
                c["relation"] = stored[i]["relation"]
        if "health_notes" not in request.POST:
            fields.pop("health_notes")
        try:
            services.person_update(
                actor=request.user,
                person=person,
                contacts=contacts,
                caretakers=_caretakers(request.POST, person.compound),
                active=request.POST.get("active") == "1",
                **fields,
            )
        except Refusal as exc:
            if exc.status == 403:
                raise PermissionDenied from None
            errors = errors_of(exc)
            person.refresh_from_db()
        else:
            messages.success(request, _("已保存。"))
            return redirect("care_person", person.pk)
    health = services.health_read(actor=request.user, person=person)
    return render(
        request,
        "care/person.html",
        {
            "person": person,
            "compound": person.compound,
            "health": health,
            "contacts": [
                {"name": c.get("name", ""), "phone": pii.mask_phone(c.get("phone", ""))}
                for c in person.contacts
            ]
            + [{"name": "", "phone": ""}] * max(0, 3 - len(person.contacts)),
            "chosen": selectors.caretaker_ids(person),
            "caretaker_choices": selectors.caretaker_choices(person.compound),
            "levels": Level.choices,
            "reasons": Reason.choices,
            "absences": selectors.recent_absences(person),
            "manage": True,
            "errors": errors,
        },
        status=422 if errors else 200,
    )


def _date(raw):
    try:
        return date.fromisoformat((raw or "").strip())
    except ValueError:
        return None


@login_required
@require_POST
def absence_new(request, pk):
    person = _person(request, pk)
    try:
        services.absence_add(
            actor=request.user,
            person=person,
            starts_on=_date(request.POST.get("starts_on")),
            ends_on=_date(request.POST.get("ends_on")),
            reason=request.POST.get("reason", ""),
        )
    except Refusal as exc:
        if exc.status == 403:
            raise PermissionDenied from None
        for msgs in errors_of(exc).values():
            for m in msgs:
                messages.error(request, m)
    else:
        messages.success(request, _("已登记暂停探访。"))
    return redirect("care_person", person.pk)


@login_required
def day(request, compound_id):
    compound = compound_gate(request.user, compound_id, access.can_view)
    when = _date(request.GET.get("date")) or timezone.localdate()
    return render(
        request,
        "care/day.html",
        {
            **selectors.day_overview(compound, when),
            "compound": compound,
            "tab": "day",
            "manage": access.can_manage(request.user, compound),
        },
    )


@login_required
def escalations(request, compound_id):
    compound = compound_gate(request.user, compound_id, access.can_view)
    rows = selectors.open_escalations(compound)
    recent = selectors.recent_resolved(compound)
    return render(
        request,
        "care/escalations.html",
        {
            "compound": compound,
            "rows": rows,
            "recent": recent,
            "steps": Step.choices,
            "results": Result.choices,
            "now": timezone.now(),
            "tab": "escalations",
            "manage": access.can_manage(request.user, compound),
        },
    )


def _escalation(request, pk) -> Escalation:
    user = request.user
    if not (access.views_anywhere(user) or access.visits_anywhere(user)):
        raise PermissionDenied
    return gate(
        user,
        selectors.escalation_rows(user),
        pk,
        compound="compound_id",
    )


def _back(request, esc):
    nxt = request.POST.get("next", "")
    if nxt.startswith("/") and not nxt.startswith("//"):
        return redirect(nxt)
    return redirect("care_escalations", esc.compound_id)


@login_required
@require_POST
def escalation_ack(request, pk):
    esc = _escalation(request, pk)
    try:
        services.escalation_acknowledge(actor=request.user, escalation=esc)
    except Refusal as exc:
        if exc.status == 403:
            raise PermissionDenied from None
        messages.error(request, exc.message)
    return _back(request, esc)


@login_required
@require_POST
def escalation_resolve(request, pk):
    esc = _escalation(request, pk)
    try:
        services.escalation_resolve(
            actor=request.user,
            escalation=esc,
            result=request.POST.get("result", ""),
            note=request.POST.get("note", ""),
        )
    except Refusal as exc:
        if exc.status == 403:
            raise PermissionDenied from None
        for msgs in errors_of(exc).values():
            for m in msgs:
                messages.error(request, m)
    else:
        messages.success(request, _("已解除升级。"))
    return _back(request, esc)


def _time(raw):
    from datetime import time

    try:
        return time.fromisoformat((raw or "").strip())
    except ValueError:
        return None


@login_required
def chain(request, compound_id):
    """The compound's escalation timings and cut-off (managers)."""
    compound = compound_gate(request.user, compound_id, access.can_manage)
    errors, form = {}, {}
    if request.method == "POST":
        form = request.POST
        try:
            services.settings_set(
                actor=request.user,
                compound=compound,
                cutoff=_time(request.POST.get("cutoff")),
                **{
                    k: request.POST.get(k, "")
                    for k in ("contacts_after", "manager_after", "community_after", "police_after")
                },
            )
        except Refusal as exc:
            if exc.status == 403:
                raise PermissionDenied from None
            errors = errors_of(exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("care_settings", compound.pk)
    return render(
        request,
        "care/settings.html",
        {
            "compound": compound,
            "conf": services.settings_for(compound.pk),
            "errors": errors,
            "form": form,
            "tab": "settings",
            "manage": True,
        },
        status=422 if errors else 200,
    )
