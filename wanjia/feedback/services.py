"""Every write of satisfaction: rate, the unhappy loop's steps (return call,
fix, re-rate, appeal, decision), the overdue sweep, surveys and answers.

Each loop step moves the loop by a conditional UPDATE on the stage it expects,
so two people pressing the same button do one step; the sweep marks an overdue
step with its own conditional UPDATE, so each overdue notice goes out once
however many sweeps run at once.

A survey answer is not audited and not timed: the audit log is readable by
the company, and a time beside a household would say who answered."""

from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wanjia.core import rateables
from wanjia.core.audit import audit
from wanjia.core.errors import Conflict, Forbidden, Gone, Invalid, NotFound
from wanjia.core.models import Compound, Membership, Region, ScopeType
from wanjia.core.notify import notify
from wanjia.core.roles import Role
from wanjia.estates.models import Household

from . import access
from .models import (
    UNHAPPY_AT_MOST,
    Appeal,
    Level,
    Loop,
    LoopEvent,
    Rating,
    Stage,
    Survey,
    SurveyMarker,
    SurveyQuestion,
    SurveyTally,
)
from .workdays import add_working_days

WINDOW = timedelta(days=7)  # rate within 7 days of the service's finish
CALL_DAYS, FIX_DAYS = 1, 15  # working days
RERATE_WINDOW = timedelta(days=7)  # after the fix, then the loop closes by itself
APPEAL_WINDOW = timedelta(days=15)
MAX_QUESTIONS = 10


def _level(raw) -> int:
    try:
        level = int(raw)
    except (TypeError, ValueError):
        level = 0
    if level not in Level.values:
        raise Invalid({"level": _("请选择 1–5 之间的评价（5 为非常满意，1 为非常不满意）。")})
    return level


def _text(raw, field: str, *, required: bool = False, limit: int = 500) -> str:
    text = (raw or "").strip() if isinstance(raw, str) else ""
    if required and not text:
        raise Invalid({field: _("请填写。")})
    if len(text) > limit:
        raise Invalid({field: _("不能超过 %(n)s 字。") % {"n": limit}})
    return text


def _staff(compound_id: int, roles=(Role.COMPOUND_MANAGER, Role.STAFF)) -> list:
    rows = Membership.objects.filter(
        role__in=roles, scope_type=ScopeType.COMPOUND, compound_id=compound_id, user__is_active=True
    ).select_related("user")
    return [m.user for m in rows.order_by("id")]


def _company_admins(company_id: int) -> list:
    rows = Membership.objects.filter(
        role=Role.COMPANY_ADMIN, scope_type=ScopeType.COMPANY, company_id=company_id
    ).select_related("user")
    return [m.user for m in rows.order_by("id")]


def _regulators(compound: Compound) -> list:
    path = compound.community.path
    prefixes = [p for p in Region.objects.values_list("path", flat=True) if path.startswith(p)]
    rows = Membership.objects.filter(
        role=Role.REGULATOR, scope_type=ScopeType.REGION, region__path__in=prefixes
    ).select_related("user")
    return [m.user for m in rows.order_by("id")]


def _household_users(household_id: int) -> list:
    rows = Membership.objects.filter(
        role=Role.RESIDENT, scope_type=ScopeType.HOUSEHOLD, household_id=household_id
    ).select_related("user")
    return [m.user for m in rows]


def _event(loop: Loop, what: str, *, actor=None, note: str = "", at=None) -> None:
    LoopEvent.objects.create(loop=loop, what=what, actor=actor, note=note, at=at or timezone.now())


# ---- ratings -------------------------------------------------------------------


def rating_give(*, actor, subject: str, level, comment: str = "") -> Rating:
    """Rate a finished service of one's household, once, within the window.
    404 when the subject is not the caller's; 409 when it is not finished, the
    window has passed or it was rated already; 422 for a bad level."""
    found = rateables.find(actor, subject)
    if found is None:
        raise NotFound
    level = _level(level)
    comment = _text(comment, "comment")
    if not found.finished:
        raise Conflict(_("这件事还没有办完，办完后才能评价。"))
    now = timezone.now()
    if now - found.finished_at > WINDOW:
        raise Conflict(_("已超过评价期限（办结后 7 天内）。"))
    compound = Compound.objects.select_related("community").get(pk=found.compound_id)
    with transaction.atomic():
        try:
            with transaction.atomic():
                rating = Rating.objects.create(
                    kind=found.kind,
                    subject_id=found.id,
                    label=found.label[:200],
                    url=found.url[:200],
                    compound=compound,
                    company_id=found.company_id,
                    household_id=found.household_id,
                    rated_by=actor,
                    finished_at=found.finished_at,
                    level=level,
                    first_level=level,
                    comment=comment,
                    rated_at=now,
                )
        except IntegrityError:
            raise Conflict(_("这件事已经评价过了。")) from None
        audit(
            actor=actor,
            action="feedback.rating.given",
            obj=rating,
            compound=compound,
            detail={"subject": found.key, "level": level},
        )
        if rating.unhappy:
            _open_loop(rating, now)
    return rating


def rating_record(*, actor, subject, level: int, comment: str = "") -> Rating:
    """``feedback.record_rating``: an app whose service carries its own rating
    and its own unhappy loop (a ticket's stars on the done work, which reopen
    it) records that rating here, so the index counts it and the subject is
    rated once (``rating_give`` then answers 409). ``subject`` is the app's
    ``rateables.Subject`` (``finished_at`` the work's finish). The first call
    creates the household's rating, a later one (the re-rate after the app's
    own fix) updates its level as ``rating_rerate`` does. No loop opens here:
    the app's own reopen is the loop (see ``tickets/rateable.py``)."""
    level = _level(level)
    comment = _text(comment, "comment")
    now = timezone.now()
    compound = Compound.objects.get(pk=subject.compound_id)
    with transaction.atomic():
        rating, created = Rating.objects.select_for_update().get_or_create(
            kind=subject.kind,
            subject_id=subject.id,
            household_id=subject.household_id,
            defaults={
                "label": subject.label[:200],
                "url": subject.url[:200],
                "compound": compound,
                "company_id": subject.company_id,
                "rated_by": actor,
                "finished_at": subject.finished_at or now,
                "level": level,
                "first_level": level,
                "comment": comment,
                "rated_at": now,
            },
        )
        if not created:
            Rating.objects.filter(pk=rating.pk).update(
                level=level, rerated_at=now, rerate_comment=comment
            )
        audit(
            actor=actor,
            action="feedback.rating.given" if created else "feedback.rating.rerated",
            obj=rating,
            compound=compound,
            detail={"subject": subject.key, "level": level, "recorded": True},
        )
    rating.refresh_from_db()
    return rating


def _open_loop(rating: Rating, now) -> Loop:
    loop = Loop.objects.create(
        rating=rating,
        compound=rating.compound,
        opened_at=now,
        call_due=add_working_days(now, CALL_DAYS),
        fix_due=add_working_days(now, FIX_DAYS),
    )
    _event(loop, "opened", actor=rating.rated_by, note=rating.comment, at=now)
    label, due = rating.label, timezone.localtime(loop.call_due)
    notify(
        recipients=_staff(rating.compound_id),
        title=lambda: _("差评待回访：%(label)s") % {"label": label},
        body=lambda: _("请在 %(due)s 前回访居民。") % {"due": due.strftime("%m-%d %H:%M")},
        link=reverse("feedback_rating", args=[rating.pk]),
        kind="feedback.unhappy",
    )
    return loop


def _step(loop: Loop, expect, **fields) -> bool:
    return Loop.objects.filter(pk=loop.pk, stage__in=expect).update(**fields) == 1


def loop_call(*, actor, loop: Loop, note: str) -> Loop:
    """The return call (回访): what the resident said."""
    if not access.can_handle(actor, loop.compound):
        raise Forbidden
    note = _text(note, "note", required=True)
    now = timezone.now()
    with transaction.atomic():
        if not _step(loop, [Stage.CALL], stage=Stage.FIX, called_at=now, call_note=note):
            raise Conflict(_("已回访过，请刷新。"))
        _event(loop, "called", actor=actor, note=note, at=now)
        audit(actor=actor, action="feedback.loop.called", obj=loop, detail={"note": note})
    loop.refresh_from_db()
    return loop


def loop_fix(*, actor, loop: Loop, note: str) -> Loop:
    """The fix (整改) is done: the resident is asked to rate again."""
    if not access.can_handle(actor, loop.compound):
        raise Forbidden
    note = _text(note, "note", required=True)
    now = timezone.now()
    with transaction.atomic():
        if not _step(loop, [Stage.FIX], stage=Stage.RERATE, fixed_at=now, fix_note=note):
            raise Conflict(_("请先完成回访；已整改的不必重复登记。"))
        _event(loop, "fixed", actor=actor, note=note, at=now)
        audit(actor=actor, action="feedback.loop.fixed", obj=loop, detail={"note": note})
        rating = loop.rating
        label = rating.label
        notify(
            recipients=_household_users(rating.household_id),
            title=lambda: _("您反映的问题已整改：%(label)s") % {"label": label},
            body=lambda: _("请在 7 天内重新评价。"),
            link=reverse("feedback_h5"),
            kind="feedback.rerate",
        )
    loop.refresh_from_db()
    return loop


def rating_rerate(*, actor, rating: Rating, level, comment: str = "") -> Rating:
    """The resident rates again after the fix; the loop closes, the index
    counts the new level."""
    level = _level(level)
    comment = _text(comment, "comment")
    if rating.household_id not in rateables.households_of(actor):
        raise NotFound
    loop = getattr(rating, "loop", None)
    now = timezone.now()
    with transaction.atomic():
        if loop is None or not _step(loop, [Stage.RERATE], stage=Stage.CLOSED, closed_at=now):
            raise Conflict(_("现在不需要复评。"))
        Rating.objects.filter(pk=rating.pk).update(
            level=level, rerated_at=now, rerate_comment=comment
        )
        _event(loop, "rerated", actor=actor, note=f"{level} {comment}".strip(), at=now)
        audit(
            actor=actor,
            action="feedback.rating.rerated",
            obj=rating,
            detail={"from": rating.level, "to": level},
        )
    rating.refresh_from_db()
    return rating


def loop_appeal(*, actor, loop: Loop, reason: str) -> Loop:
    """The company thinks the rating unjust: the regulator decides."""
    if not access.can_appeal(actor, loop.compound):
        raise Forbidden
    reason = _text(reason, "reason", required=True)
    now = timezone.now()
    if now - loop.opened_at > APPEAL_WINDOW:
        raise Conflict(_("已超过申诉期限（差评后 15 天内）。"))
    with transaction.atomic():
        won = Loop.objects.filter(pk=loop.pk, appeal=Appeal.NONE).update(
            appeal=Appeal.PENDING, appeal_reason=reason, appealed_at=now
        )
        if not won:
            raise Conflict(_("这条评价已经申诉过。"))
        _event(loop, "appealed", actor=actor, note=reason, at=now)
        audit(actor=actor, action="feedback.loop.appealed", obj=loop, detail={"reason": reason})
        label = loop.rating.label
        notify(
            recipients=_regulators(loop.compound),
            title=lambda: _("评价申诉待裁定：%(label)s") % {"label": label},
            body=reason,
            link=reverse("feedback_rating", args=[loop.rating_id]),
            kind="feedback.appeal",
        )
    loop.refresh_from_db()
    return loop


def loop_decide(*, actor, loop: Loop, upheld: bool, note: str) -> Loop:
    """The regulator's decision. Upheld: the rating leaves the index and the
    loop closes; rejected: the loop goes on where it stood."""
    if not access.can_decide(actor, loop.compound):
        raise Forbidden
    note = _text(note, "note", required=True)
    now = timezone.now()
    outcome = Appeal.UPHELD if upheld else Appeal.REJECTED
    with transaction.atomic():
        won = Loop.objects.filter(pk=loop.pk, appeal=Appeal.PENDING).update(
            appeal=outcome, decided_at=now, decision_note=note
        )
        if not won:
            raise Conflict(_("没有待裁定的申诉。"))
        if upheld:
            Rating.objects.filter(pk=loop.rating_id).update(excluded=True)
            Loop.objects.filter(pk=loop.pk).exclude(stage=Stage.CLOSED).update(
                stage=Stage.CLOSED, closed_at=now
            )
        _event(loop, "upheld" if upheld else "rejected", actor=actor, note=note, at=now)
        audit(
            actor=actor,
            action="feedback.loop.decided",
            obj=loop,
            detail={"upheld": upheld, "note": note},
        )
        label = loop.rating.label
        notify(
            recipients=_staff(loop.compound_id, roles=(Role.COMPOUND_MANAGER,))
            + _company_admins(loop.compound.company_id),
            title=lambda: (
                (_("申诉成立：%(label)s") if upheld else _("申诉驳回：%(label)s"))
                % {"label": label}
            ),
            body=note,
            link=reverse("feedback_rating", args=[loop.rating_id]),
            kind="feedback.decided",
        )
    loop.refresh_from_db()
    return loop


def _overdue_title(step: str, label: str):
    if step == "call":
        return lambda: _("差评回访已逾期：%(label)s") % {"label": label}
    return lambda: _("差评整改已逾期：%(label)s") % {"label": label}


def loops_sweep(*, now=None) -> dict:
    """Every few minutes: notify each overdue return call and fix once (a
    conditional UPDATE claims the notice), and close loops whose resident did
    not re-rate within 7 days of the fix."""
    now = now or timezone.now()
    done = {"call": 0, "fix": 0, "closed": 0}
    for step, stages, due, mark in (
        ("call", [Stage.CALL], "call_due", "call_overdue_at"),
        ("fix", [Stage.CALL, Stage.FIX], "fix_due", "fix_overdue_at"),
    ):
        due_rows = Loop.objects.filter(
            stage__in=stages, **{f"{due}__lt": now, f"{mark}__isnull": True}
        ).select_related("rating", "compound")
        for loop in due_rows[:500]:
            with transaction.atomic():
                won = Loop.objects.filter(
                    pk=loop.pk, stage__in=stages, **{f"{mark}__isnull": True}
                ).update(**{mark: now})
                if not won:
                    continue
                done[step] += 1
                _event(loop, f"{step}_overdue", at=now)
                audit(actor=None, action="feedback.loop.overdue", obj=loop, detail={"step": step})
                notify(
                    recipients=_staff(loop.compound_id, roles=(Role.COMPOUND_MANAGER,))
                    + _company_admins(loop.compound.company_id),
                    title=_overdue_title(step, loop.rating.label),
                    link=reverse("feedback_rating", args=[loop.rating_id]),
                    kind="feedback.overdue",
                )
    stale = Loop.objects.filter(stage=Stage.RERATE, fixed_at__lt=now - RERATE_WINDOW)
    for loop in stale[:500]:
        if _step(loop, [Stage.RERATE], stage=Stage.CLOSED, closed_at=now):
            done["closed"] += 1
            _event(loop, "no_rerate", at=now)
    return done


# ---- surveys -------------------------------------------------------------------


def survey_create(
    *,
    actor,
    compound: Compound,
    title: str,
    intro: str = "",
    starts_on: date | None,
    ends_on: date | None,
    target_rate,
    questions: list[str],
) -> Survey:
    if not access.can_survey(actor, compound):
        raise Forbidden
    errors = {}
    title = (title or "").strip()
    if not title or len(title) > 100:
        errors["title"] = [_("请填写标题（不超过 100 字）。")]
    intro = (intro or "").strip()
    if len(intro) > 500:
        errors["intro"] = [_("不能超过 %(n)s 字。") % {"n": 500}]
    if starts_on is None:
        errors["starts_on"] = [_("请填写开始日期。")]
    if ends_on is None:
        errors["ends_on"] = [_("请填写结束日期。")]
    elif starts_on is not None and (ends_on < starts_on or (ends_on - starts_on).days > 92):
        errors["ends_on"] = [_("结束日期应在开始日期之后，且调查期不超过 3 个月。")]
    try:
        target = int(target_rate)
    except (TypeError, ValueError):
        target = -1
    if not 1 <= target <= 100:
        errors["target_rate"] = [_("目标回收率应为 1–100 之间的整数。")]
    texts = [q.strip() for q in questions if isinstance(q, str) and q.strip()]
    if not texts or len(texts) > MAX_QUESTIONS or any(len(t) > 200 for t in texts):
        errors["questions"] = [_("请填写 1–10 个问题，每个不超过 200 字。")]
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        survey = Survey.objects.create(
            compound=compound,
            title=title,
            intro=intro,
            starts_on=starts_on,
            ends_on=ends_on,
            target_rate=target,
            households=compound.households.count(),
            created_by=actor,
        )
        for n, text in enumerate(texts):
            q = SurveyQuestion.objects.create(survey=survey, order=n, text=text)
            SurveyTally.objects.bulk_create(
                [SurveyTally(question=q, level=lvl) for lvl in Level.values]
            )
        audit(
            actor=actor,
            action="feedback.survey.created",
            obj=survey,
            compound=compound,
            detail={"title": title, "questions": len(texts)},
        )
    return survey


def survey_answer(*, actor, survey: Survey, answers: dict) -> None:
    """One household's answers, once: the marker says it answered, the tallies
    count the levels; nothing ties one to the other."""
    households = [
        h for h in rateables.households_of(actor) if h in _compound_households(survey, actor)
    ]
    if not households:
        raise NotFound
    today = timezone.localdate()
    if not survey.starts_on <= today <= survey.ends_on:
        raise Gone(_("调查不在进行中。"))
    questions = list(survey.questions.all())
    levels, errors = {}, {}
    for q in questions:
        try:
            levels[q.pk] = _level(answers.get(q.pk, answers.get(str(q.pk))))
        except Invalid:
            errors[f"q{q.pk}"] = [_("请为这个问题选择一项。")]
    if errors:
        raise Invalid(errors)
    try:
        with transaction.atomic():
            SurveyMarker.objects.create(survey=survey, household_id=households[0])
            for qid, level in levels.items():
                SurveyTally.objects.filter(question_id=qid, level=level).update(
                    count=F("count") + 1
                )
            Survey.objects.filter(pk=survey.pk).update(responses=F("responses") + 1)
    except IntegrityError:
        raise Conflict(_("本户已经参加过这次调查。")) from None


def _compound_households(survey: Survey, actor) -> set[int]:
    return set(
        Household.objects.filter(
            compound_id=survey.compound_id, pk__in=rateables.households_of(actor)
        ).values_list("pk", flat=True)
    )


def unhappy_level(level: int) -> bool:
    return level <= UNHAPPY_AT_MOST
