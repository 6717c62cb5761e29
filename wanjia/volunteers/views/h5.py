"""The phone pages: apply, open tasks with one-tap sign-up, my tasks with
check-in and check-out, my hours with the star level and certificates, and
the compound's thanks wall with a form to say thanks."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wanjia.core.errors import Refusal, errors_of
from wanjia.core.scoping import gate

from .. import access, selectors, services
from ..models import AppStatus, TeamKind, ThanksTarget
from ..services.wall import next_star, stars_for


def _refused(exc):
    if exc.status == 403:
        raise PermissionDenied from None


def _home_compound(request, check):
    """The one compound the phone pages work in: ``?c=`` among the user's
    compounds where ``check`` holds, else the first of them."""
    user = request.user
    rows = [c for c in selectors.my_compounds(user) if check(user, c)]
    if not rows:
        raise PermissionDenied
    raw = request.GET.get("c") or request.POST.get("c") or ""
    if raw.isdigit():
        for c in rows:
            if c.pk == int(raw):
                return c, rows
    return rows[0], rows


@login_required
def hub(request):
    """志愿服务: the volunteer's tasks and hours, or the application."""
    user = request.user
    if not access.h5_anywhere(user):
        raise PermissionDenied
    records = list(selectors.my_records(user))
    serving = access.serves_anywhere(user)
    mine = selectors.my_signups(user) if serving else {"current": [], "past": []}
    minutes = sum(selectors.minutes_of(v) for v in records if v.status == AppStatus.APPROVED)
    return render(
        request,
        "volunteers/h5_hub.html",
        {
            "tab": "services",
            "records": records,
            "serving": serving,
            "current": mine["current"],
            "hours": round(minutes / 60, 1),
            "stars": stars_for(minutes),
            "can_apply": access.applies_anywhere(user),
        },
    )


def _apply_fields(post) -> dict:
    return {
        "skills": post.get("skills", ""),
        "availability": post.get("availability", ""),
        "languages": post.get("languages", ""),
        "can_lift": post.get("can_lift") == "1",
        "can_drive": post.get("can_drive") == "1",
        "can_help_phone": post.get("can_help_phone") == "1",
        "wants": post.getlist("wants"),
    }


@login_required
def apply(request):
    compound, compounds = _home_compound(request, access.can_apply)
    errors, form = {}, {}
    record = selectors.my_record(request.user, compound)
    if request.method == "POST":
        form = request.POST
        try:
            services.apply(actor=request.user, compound=compound, **_apply_fields(request.POST))
        except Refusal as exc:
            _refused(exc)
            errors = errors_of(exc)
        else:
            messages.success(request, _("申请已提交，物业审核后会通知您。"))
            return redirect("volunteers_h5")
    return render(
        request,
        "volunteers/h5_apply.html",
        {
            "tab": "services",
            "compound": compound,
            "compounds": compounds,
            "record": record,
            "teams": TeamKind.choices,
            "errors": errors,
            "form": form,
            "wants": form.getlist("wants") if form else [],
        },
        status=422 if errors.keys() - {"all"} else (409 if errors else 200),
    )


@login_required
def tasks(request):
    user = request.user
    if not access.serves_anywhere(user):
        raise PermissionDenied
    compounds = [c for c in selectors.my_compounds(user) if access.can_serve(user, c)]
    rows = list(selectors.open_tasks([c.pk for c in compounds])[:100])
    signed = selectors.my_signup_task_ids(user, [t.pk for t in rows])
    return render(
        request,
        "volunteers/h5_tasks.html",
        {"tab": "services", "tasks": rows, "signed": signed, "now": timezone.now()},
    )


def _task(request, pk):
    user = request.user
    if not access.serves_anywhere(user):
        raise PermissionDenied
    return gate(
        user,
        selectors.task_rows(user),
        pk,
        compound="compound_id",
        allowed=lambda t: access.can_serve(user, t.compound),
    )


@login_required
@require_POST
def task_signup(request, pk):
    task = _task(request, pk)
    try:
        services.signup(actor=request.user, task=task)
    except Refusal as exc:
        _refused(exc)
        messages.error(request, exc.message)
        return redirect("volunteers_h5_tasks")
    messages.success(request, _("报名成功：%(t)s") % {"t": task.title})
    return redirect("volunteers_h5_mine")


def _signup(request, pk):
    user = request.user
    if not access.serves_anywhere(user):
        raise PermissionDenied
    return gate(
        user,
        selectors.my_signup_rows(user),
        pk,
        compound="compound_id",
        allowed=lambda s: access.can_serve(user, s.task.compound),
    )


@login_required
def mine(request):
    user = request.user
    if not access.serves_anywhere(user):
        raise PermissionDenied
    return render(
        request,
        "volunteers/h5_mine.html",
        {"tab": "services", **selectors.my_signups(user), "now": timezone.now()},
    )


def _act(request, pk, fn, done):
    row = _signup(request, pk)
    try:
        fn(actor=request.user, signup=row)
    except Refusal as exc:
        _refused(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("volunteers_h5_mine")


@login_required
@require_POST
def withdraw(request, pk):
    return _act(request, pk, services.withdraw, _("已退出，名额已让给别人。"))


@login_required
@require_POST
def check_in(request, pk):
    return _act(request, pk, services.check_in, _("已签到，辛苦了！"))


@login_required
@require_POST
def check_out(request, pk):
    return _act(request, pk, services.check_out, _("已签退，时长待负责人确认后计入。"))


@login_required
def hours(request):
    user = request.user
    if not access.serves_anywhere(user):
        raise PermissionDenied
    records = [v for v in selectors.my_records(user) if v.status == AppStatus.APPROVED]
    if not records:
        records = [
            v
            for c in selectors.my_compounds(user)
            if access.can_serve(user, c)
            for v in [services.volunteer_for(user, c, create=False)]
            if v
        ]
    rows = []
    for v in records:
        minutes = selectors.minutes_of(v)
        rows.append(
            {
                "volunteer": v,
                "hours": round(minutes / 60, 1),
                "stars": stars_for(minutes),
                "next": next_star(minutes),
                "ledger": list(selectors.ledger_of(v)[:50]),
                "certificates": list(selectors.certificates_of(v)[:5]),
            }
        )
    return render(
        request,
        "volunteers/h5_hours.html",
        {"tab": "services", "rows": rows, "levels": services.STARS},
    )


@login_required
@require_POST
def certificate_new(request, pk):
    user = request.user
    if not access.serves_anywhere(user):
        raise PermissionDenied
    volunteer = gate(
        user,
        selectors.my_volunteer_rows(user),
        pk,
        compound="compound_id",
        allowed=lambda v: access.can_serve(user, v.compound),
    )
    try:
        cert = services.certificate_issue(actor=user, volunteer=volunteer)
    except Refusal as exc:
        _refused(exc)
        messages.error(request, exc.message)
        return redirect("volunteers_h5_hours")
    return redirect("volunteers_certificate", cert.pk)


def _groups(compound):
    targets = selectors.thank_targets(compound)
    return [
        (label, [(f"{kind}:{pk}", name) for pk, name in targets[kind]])
        for kind, label in ThanksTarget.choices
        if targets[kind]
    ]


@login_required
def wall(request):
    user = request.user
    compound, compounds = _home_compound(request, access.in_compound)
    errors, form = {}, {}
    can_thank = access.can_thank(user, compound)
    if request.method == "POST":
        if not can_thank:
            raise PermissionDenied
        form = request.POST
        kind, _sep, raw = request.POST.get("target", "").partition(":")
        pk = int(raw) if raw.isdigit() and len(raw) < 18 else 0
        name = selectors.thank_target(compound, kind, pk) if pk else None
        try:
            services.thanks_create(
                actor=user,
                compound=compound,
                target_kind=kind,
                target_id=pk if name else 0,
                target_name=name or "",
                text=request.POST.get("text", ""),
            )
        except Refusal as exc:
            _refused(exc)
            errors = errors_of(exc)
        else:
            messages.success(request, _("谢谢您！物业审核后会展示在感谢墙上。"))
            return redirect(f"{request.path}?c={compound.pk}")
    return render(
        request,
        "volunteers/h5_wall.html",
        {
            "tab": "services",
            "compound": compound,
            "compounds": compounds,
            "wall": selectors.wall(compound),
            "can_thank": can_thank,
            "groups": _groups(compound) if can_thank else [],
            "mine": selectors.my_thanks(user, compound) if can_thank else [],
            "errors": errors,
            "form": form,
        },
        status=422 if errors else 200,
    )
