"""Surveys and their answers. An answer is not audited and not timed: the
audit log is readable by the company, and a time beside a household would
say who answered."""

from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from wanjia.core import rateables
from wanjia.core.audit import audit
from wanjia.core.errors import Conflict, Forbidden, Gone, Invalid, NotFound
from wanjia.core.models import Compound
from wanjia.estates.models import Household

from .. import access
from ..models import (
    Level,
    Survey,
    SurveyMarker,
    SurveyQuestion,
    SurveyTally,
)
from .common import _level

MAX_QUESTIONS = 10


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
