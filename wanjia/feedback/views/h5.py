"""The resident's phone pages (我的评价): finished services to rate, one's
ratings (re-rate after a fix), and the compound's running survey."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wanjia.core import rateables
from wanjia.core.errors import Refusal, errors_of
from wanjia.core.scoping import NOT_FOUND

from .. import access, selectors, services
from ..models import Level, Stage

LEVELS = [(v, label) for v, label in Level.choices]  # 5 (非常满意) first


def _require(user) -> None:
    if not access.rates_anywhere(user):
        raise PermissionDenied


@login_required
def home(request):
    _require(request.user)
    mine = list(selectors.my_ratings(request.user)[:30])
    return render(
        request,
        "feedback/h5_home.html",
        {
            "to_rate": selectors.to_rate(request.user),
            "mine": mine,
            "rerate": [
                r for r in mine if getattr(r, "loop", None) and r.loop.stage == Stage.RERATE
            ],
            "surveys": selectors.open_surveys(request.user),
            "levels": LEVELS,
            "tab": "services",
        },
    )


def _subject(request, kind, pk):
    subject = rateables.find(request.user, f"{kind}:{pk}")
    if subject is None:
        raise Http404(_(NOT_FOUND))
    return subject


@login_required
def rate(request, kind, pk):
    _require(request.user)
    subject = _subject(request, kind, pk)
    errors, form, status = {}, {}, 200
    if request.method == "POST":
        form = request.POST
        try:
            services.rating_give(
                actor=request.user,
                subject=subject.key,
                level=request.POST.get("level", ""),
                comment=request.POST.get("comment", ""),
            )
        except Refusal as exc:
            if exc.status == 403:
                raise PermissionDenied from None
            errors, status = errors_of(exc), exc.status
        else:
            messages.success(request, _("谢谢您的评价。"))
            return redirect("feedback_h5")
    return render(
        request,
        "feedback/h5_rate.html",
        {
            "subject": subject,
            "levels": LEVELS,
            "errors": errors,
            "form": form,
            "tab": "services",
        },
        status=status,
    )


@login_required
@require_POST
def rerate(request, pk):
    _require(request.user)
    r = selectors.my_rating(request.user, pk)
    try:
        services.rating_rerate(
            actor=request.user,
            rating=r,
            level=request.POST.get("level", ""),
            comment=request.POST.get("comment", ""),
        )
    except Refusal as exc:
        if exc.status == 403:
            raise PermissionDenied from None
        for msgs in errors_of(exc).values():
            for m in msgs:
                messages.error(request, m)
    else:
        messages.success(request, _("谢谢您的复评。"))
    return redirect("feedback_h5")


@login_required
def survey(request, pk):
    _require(request.user)
    s = selectors.resident_survey(request.user, pk)
    errors, status, chosen = {}, 200, {}
    if request.method == "POST":
        answers = {q.pk: request.POST.get(f"q{q.pk}", "") for q in s.questions.all()}
        chosen = dict(answers)
        try:
            services.survey_answer(actor=request.user, survey=s, answers=answers)
        except Refusal as exc:
            if exc.status == 403:
                raise PermissionDenied from None
            errors, status = errors_of(exc), exc.status
        else:
            messages.success(request, _("谢谢参与，您的回答是匿名的。"))
            return redirect("feedback_h5")
    questions = [
        {
            "q": q,
            "name": f"q{q.pk}",
            "chosen": str(chosen.get(q.pk, "")),
            "errors": errors.get(f"q{q.pk}", []),
        }
        for q in s.questions.all()
    ]
    return render(
        request,
        "feedback/h5_survey.html",
        {
            "survey": s,
            "questions": questions,
            "answered": selectors.has_answered(request.user, s),
            "running": selectors.survey_running(s),
            "levels": LEVELS,
            "errors": errors,
            "tab": "services",
        },
        status=status,
    )
