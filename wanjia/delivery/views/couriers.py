"""The market's couriers: the roster, posting a staff member or a volunteer,
and changing or standing one down."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from .. import selectors, services
from ..access import can_plan
from ..models import MODE_DEFAULTS, Mode
from .common import errors_of, market_for

FIELDS = ("mode", "speed_kmh", "capacity", "shift_start", "shift_end", "phone")


def _modes() -> list[dict]:
    return [
        {
            "value": m.value,
            "label": m.label,
            "speed": MODE_DEFAULTS[m][0],
            "cap": MODE_DEFAULTS[m][1],
        }
        for m in Mode
    ]


def _go(request, url: str):
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@login_required
def couriers(request, market_id):
    market = market_for(request, market_id)
    if request.method == "POST":
        if not can_plan(request.user, market):
            raise PermissionDenied
        return _add(request, market)
    return render(request, "delivery/couriers.html", _context(request, market))


def _context(request, market, *, post=None, errors=None) -> dict:
    roster = selectors.courier_roster(market)
    posted_staff = {c.staff_id for c in roster}
    posted_users = {c.user_id for c in roster}
    return {
        "market": market,
        "roster": roster,
        "can_plan": can_plan(request.user, market),
        "staff": [
            {"key": f"s-{s.pk}", "label": s.name, "where": s.compound.name if s.compound else ""}
            for s in selectors.with_compound(services.eligible_staff(market))
            if s.pk not in posted_staff
        ],
        "volunteers": [
            {"key": f"v-{u.pk}", "label": u.name, "where": ""}
            for u in services.eligible_volunteers(market)
            if u.pk not in posted_users
        ],
        "modes": _modes(),
        "post": post or {"mode": Mode.TRICYCLE, "shift_start": "06:00", "shift_end": "09:00"},
        "errors": errors or {},
    }


def _person(market, value: str) -> dict:
    """``s-<id>`` a staff member, ``v-<id>`` a volunteer's account."""
    kind, _sep, pk = (value or "").partition("-")
    if kind == "s" and pk.isdigit():
        staff = selectors.one_of(services.eligible_staff(market), int(pk))
        if staff:
            return {"staff": staff}
    if kind == "v" and pk.isdigit():
        volunteer = selectors.one_of(services.eligible_volunteers(market), int(pk))
        if volunteer:
            return {"volunteer": volunteer}
    raise ValidationError({"person": _("请从名单中选择员工或志愿者。")})


def _add(request, market):
    post = request.POST
    try:
        courier = services.courier_add(
            actor=request.user,
            market=market,
            **_person(market, post.get("person")),
            **{f: post.get(f, "") for f in FIELDS},
        )
    except ValidationError as exc:
        errors = errors_of(exc)
        for field in ("staff", "volunteer"):
            if field in errors:
                errors["person"] = errors.pop(field)
        context = _context(request, market, post=post, errors=errors)
        template = "delivery/_courier_form.html" if request.htmx else "delivery/couriers.html"
        return render(request, template, context, status=422)
    messages.success(request, _("已添加配送员：%(name)s") % {"name": courier.name})
    return _go(request, reverse("delivery_couriers", args=[market.pk]))


@login_required
def courier_edit(request, pk):
    courier = selectors.get_or_404(selectors.couriers_of_members(request.user), pk=pk)
    if not can_plan(request.user, courier.market):
        raise PermissionDenied
    errors, post = {}, None
    if request.method == "POST":
        post = request.POST
        try:
            services.courier_update(
                actor=request.user,
                courier=courier,
                active=post.get("active") == "1",
                **{f: post.get(f, "") for f in FIELDS},
            )
        except ValidationError as exc:
            errors = errors_of(exc)
            courier.refresh_from_db()
        else:
            messages.success(request, _("已保存：%(name)s") % {"name": courier.name})
            return redirect("delivery_couriers", courier.market_id)
    values = post or {
        **{f: getattr(courier, f) for f in FIELDS},
        "shift_start": f"{courier.shift_start:%H:%M}",
        "shift_end": f"{courier.shift_end:%H:%M}",
        "active": "1" if courier.active else "",
    }
    return render(
        request,
        "delivery/courier_edit.html",
        {
            "courier": courier,
            "market": courier.market,
            "modes": _modes(),
            "post": values,
            "errors": errors,
        },
        status=422 if errors else 200,
    )


__all__ = ["courier_edit", "couriers"]
