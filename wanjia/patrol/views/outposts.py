"""Console pages for the outposts (岗哨): list and add per compound, edit and
retire, the shifts of one outpost (who stands there when), and the night
timeline of a compound (required hours, shifts, gaps in red, the rounds)."""

from datetime import date, datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime, parse_time
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wanjia.core.errors import Gone, Refusal, errors_of
from wanjia.core.scoping import compound_gate, gate

from .. import access, evidence, selectors
from ..models import Outpost
from ..services import outposts as services


def _outpost(request, pk) -> Outpost:
    user = request.user
    return gate(
        user,
        evidence.outpost_rows(),
        pk,
        compound="compound_id",
        allowed=lambda o: access.can_manage(user, o.compound),
    )


def _fields(post) -> dict:
    """The form's fields as the service takes them; unreadable ones raise a
    field error."""
    errors, out = {}, {"name": post.get("name", "")}
    for key in ("x", "y", "lat", "lng"):
        raw = (post.get(key) or "").strip()
        if not raw:
            out[key] = 50.0 if key in ("x", "y") else None
            continue
        try:
            out[key] = float(raw)
        except ValueError:
            errors[key] = [_("请填写数字。")]
    for key in ("staffed_from", "staffed_to"):
        raw = (post.get(key) or "").strip()
        try:
            value = parse_time(raw) if raw else None
        except ValueError:
            value = None
        if value is None:
            errors[key] = [_("请填写时间，如 22:00。")]
        out[key] = value
    if errors:
        raise ValidationError(errors)
    return out


@login_required
def outposts(request, compound_id):
    compound = compound_gate(request.user, compound_id, access.can_view)
    manage = access.can_manage(request.user, compound)
    errors, form = {}, {}
    if request.method == "POST":
        if not manage:
            raise PermissionDenied
        form = request.POST
        try:
            services.outpost_create(actor=request.user, compound=compound, **_fields(request.POST))
        except (ValidationError, Refusal) as exc:
            errors = errors_of(exc)
        else:
            messages.success(request, _("已添加岗哨。"))
            return redirect("patrol_outposts", compound.pk)
    rows = evidence.compound_outposts(request.user, compound)
    return render(
        request,
        "patrol/outposts.html",
        {
            "compound": compound,
            "outposts": rows,
            "manage": manage,
            "errors": errors,
            "form": form,
            "night": selectors.current_night(),
        },
        status=422 if errors else 200,
    )


@login_required
def outpost_edit(request, pk):
    outpost = _outpost(request, pk)
    if not outpost.active:
        raise Gone(_("该岗哨已撤销，不能再修改。"))
    errors = {}
    if request.method == "POST":
        try:
            services.outpost_update(actor=request.user, outpost=outpost, **_fields(request.POST))
        except (ValidationError, Refusal) as exc:
            errors = errors_of(exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("patrol_outposts", outpost.compound_id)
    return render(
        request,
        "patrol/outpost_edit.html",
        {"outpost": outpost, "compound": outpost.compound, "errors": errors, "manage": True},
        status=422 if errors else 200,
    )


@login_required
@require_POST
def outpost_retire(request, pk):
    outpost = _outpost(request, pk)
    services.outpost_retire(actor=request.user, outpost=outpost)
    messages.success(request, _("岗哨已撤销，今后不再要求值守。"))
    return redirect("patrol_outposts", outpost.compound_id)


def _when(raw) -> datetime | None:
    raw = (raw or "").strip()
    try:
        value = parse_datetime(raw) if raw else None
    except ValueError:
        return None
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


@login_required
def outpost_shifts(request, pk):
    """The outpost's shifts of the coming two weeks and a form to add one
    (prefilled with the staffed hours of the chosen night)."""
    outpost = _outpost(request, pk)
    compound = outpost.compound
    staff = list(evidence.staff_of(compound))
    errors, form = {}, {}
    raw = request.GET.get("date")
    night = parse_date(raw) if _is_date(raw) else selectors.current_night()
    start, end = services.staffed_window(outpost, night)
    if request.method == "POST":
        form = request.POST
        raw_user = (request.POST.get("user") or "").strip()
        user = next((u for u in staff if str(u.pk) == raw_user), None)
        starts_at, ends_at = (
            _when(request.POST.get("starts_at")),
            _when(request.POST.get("ends_at")),
        )
        try:
            bad = {}
            if starts_at is None and request.POST.get("starts_at"):
                bad["starts_at"] = [_("请按 年-月-日 时:分 填写时间。")]
            if ends_at is None and request.POST.get("ends_at"):
                bad["ends_at"] = [_("请按 年-月-日 时:分 填写时间。")]
            if bad:
                raise ValidationError(bad)
            services.shift_assign(
                actor=request.user,
                outpost=outpost,
                user=user,
                starts_at=starts_at,
                ends_at=ends_at,
            )
        except (ValidationError, Refusal) as exc:
            errors = errors_of(exc)
        else:
            messages.success(request, _("已安排值守。"))
            night = selectors.current_night(starts_at)
            return redirect(f"{request.path}?date={night.isoformat()}")
    return render(
        request,
        "patrol/outpost_shifts.html",
        {
            "outpost": outpost,
            "compound": compound,
            "staff": staff,
            "shifts": evidence.shifts_from(outpost, night),
            "errors": errors,
            "form": form,
            "night": night,
            "default_start": timezone.localtime(start).strftime("%Y-%m-%dT%H:%M"),
            "default_end": timezone.localtime(end).strftime("%Y-%m-%dT%H:%M"),
            "manage": True,
        },
        status=422 if errors else 200,
    )


def _is_date(raw) -> bool:
    try:
        return bool(raw) and parse_date(raw) is not None
    except ValueError:
        return False


@login_required
@require_POST
def outpost_shift_remove(request, pk):
    user = request.user
    shift = gate(
        user,
        evidence.outpost_shift_rows(),
        pk,
        compound="outpost__compound_id",
        allowed=lambda s: access.can_manage(user, s.outpost.compound),
    )
    outpost_id = shift.outpost_id
    services.shift_remove(actor=user, shift=shift)
    messages.success(request, _("已取消该值守。"))
    return redirect("patrol_outpost_shifts", outpost_id)


@login_required
def timeline(request, compound_id):
    compound = compound_gate(request.user, compound_id, access.can_view)
    errors = {}
    raw = (request.GET.get("date") or "").strip()
    night: date | None = None
    if raw:
        if _is_date(raw):
            night = parse_date(raw)
        else:
            errors["date"] = [_("日期格式应为 年-月-日，如 2026-03-10。")]
    night = night or selectors.current_night()
    return render(
        request,
        "patrol/timeline.html",
        {
            **evidence.night_timeline(compound, night),
            "compound": compound,
            "manage": access.can_manage(request.user, compound),
            "errors": errors,
            "prev": night - timedelta(days=1),
            "next": night + timedelta(days=1),
        },
        status=422 if errors else 200,
    )
