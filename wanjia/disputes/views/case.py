"""Console pages of one dispute case: the case with its actions (htmx, the panel back in place; a field error is a 422 with the message beside the field) and the printable agreement."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wanjia.core.context import RESIDENT_SIDE
from wanjia.core.errors import errors_of
from wanjia.core.scoping import roles_of
from wanjia.estates.selectors import get_or_404
from wanjia.party.selectors import badge_user_ids

from .. import access, selectors, services
from ..models import Level, next_level


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# ---------------------------------------------------------------- the case


SCORE_OPTIONS = [
    (5, "★★★★★", gettext_lazy("很满意")),
    (4, "★★★★", gettext_lazy("满意")),
    (3, "★★★", gettext_lazy("一般")),
    (2, "★★", gettext_lazy("不满意")),
    (1, "★", gettext_lazy("很不满意")),
]


def case_context(user, case, **extra) -> dict:
    policy = services.policy_for(case.compound)
    sessions, events, parties = selectors.case_page_rows(case)
    people = [case.mediator_id, *(s.mediator_id for s in sessions)]
    done = not case.is_open
    reopen_until = (
        case.resolved_at + timedelta(days=policy.reopen_days) if case.resolved_at else None
    )
    mine = access.party_households_of(user)
    return {
        "case": case,
        "sessions": sessions,
        "events": events,
        "parties": parties,
        "my_parties": [p for p in parties if p.household_id in mine],
        "badge_ids": badge_user_ids(people),
        "can_mediate": access.can_mediate(user, case),
        "can_notes": access.can_see_notes(user, case),
        "next_level": next_level(case.level) and Level(next_level(case.level)).label,
        "can_reopen": done and reopen_until is not None and timezone.now() <= reopen_until,
        "reopen_until": reopen_until,
        "policy": policy,
        "score_options": SCORE_OPTIONS,
        "errors": {},
        "post": {},
        **extra,
    }


def _case_for(request, pk):
    return get_or_404(selectors.cases_visible_to(request.user), pk=pk)


def _resident_side(user) -> bool:
    roles = roles_of(user)
    return bool(roles) and roles <= RESIDENT_SIDE and not user.is_superuser


@login_required
def case_detail(request, pk):
    case = _case_for(request, pk)
    if _resident_side(request.user):
        # a resident following a link to the console lands on their own phone
        # page of the case, as the console home sends them to the H5
        return redirect("disputes_h5_case", pk=case.pk)
    return render(request, "disputes/case.html", case_context(request.user, case))


def _act(request, pk, form: str, action, message: str):
    """Run ``action(case)``; answer with the case panel (htmx) or the page."""
    case = _case_for(request, pk)
    try:
        action(case)
    except ValidationError as exc:
        ctx = case_context(
            request.user, case, errors={form: errors_of(exc)}, post={form: request.POST}
        )
        template = "disputes/_case.html" if request.htmx else "disputes/case.html"
        return render(request, template, ctx, status=422)
    case = _case_for(request, pk)
    if request.htmx:
        return render(
            request, "disputes/_case.html", case_context(request.user, case, flash=message)
        )
    return redirect("disputes_case", pk)


@login_required
@require_POST
def case_escalate(request, pk):
    return _act(
        request,
        pk,
        "escalate",
        lambda c: services.case_escalate(
            actor=request.user, case=c, reason=request.POST.get("reason", "")
        ),
        _("已上报上一级。"),
    )


@login_required
@require_POST
def case_session(request, pk):
    return _act(
        request,
        pk,
        "session",
        lambda c: services.session_add(
            actor=request.user,
            case=c,
            notes=request.POST.get("notes", ""),
            place=request.POST.get("place", ""),
            attendees=request.POST.get("attendees", ""),
        ),
        _("调解记录已保存。"),
    )


@login_required
@require_POST
def case_resolve(request, pk):
    return _act(
        request,
        pk,
        "resolve",
        lambda c: services.case_resolve(
            actor=request.user,
            case=c,
            resolution=request.POST.get("resolution", ""),
            agreement=request.POST.get("agreement", ""),
        ),
        _("已记录化解结果，可以打印调解协议书。"),
    )


@login_required
@require_POST
def case_followup(request, pk):
    return _act(
        request,
        pk,
        "followup",
        lambda c: services.case_followup(
            actor=request.user, case=c, note=request.POST.get("note", "")
        ),
        _("回访已记录，案件结案。"),
    )


@login_required
@require_POST
def case_rate(request, pk):
    def rate(c):
        score = _int(request.POST.get("score"))
        if score is None:
            raise ValidationError({"score": _("请选择满意度。")})
        services.case_rate(
            actor=request.user,
            case=c,
            score=score,
            party_id=_int(request.POST.get("party")),
            comment=request.POST.get("comment", ""),
        )

    return _act(request, pk, "rate", rate, _("满意度已记录。"))


@login_required
@require_POST
def case_reopen(request, pk):
    return _act(
        request,
        pk,
        "reopen",
        lambda c: services.case_reopen(
            actor=request.user, case=c, reason=request.POST.get("reason", "")
        ),
        _("案件已重新打开。"),
    )


@login_required
def case_agreement(request, pk):
    """调解协议书 as an A4 page, for the parties to sign."""
    case = _case_for(request, pk)
    if not case.resolved_at:
        messages.info(request, _("案件化解后才能打印调解协议书。"))
        return redirect("disputes_case", pk)
    parties = selectors.agreement_parties(case)
    branch = selectors.first_party_branch(case.compound)
    return render(
        request,
        "disputes/agreement.html",
        {
            "case": case,
            "parties": parties,
            # one copy per party plus the mediation organisation's: the count
            # printed is the count of holders the same sentence names
            "copies": len(parties) + 1,
            "branch": branch,
            "mediators": _mediator_names(case),
        },
    )


def _mediator_names(case) -> list[str]:
    return selectors.mediator_names(case)
