"""Every read of satisfaction: ratings and loops in scope, what a resident may
rate, surveys and their results (aggregates of at least ``MIN_GROUP``
households, once the survey has closed), the satisfaction index and its
figures for the regulator."""

from collections import defaultdict
from datetime import datetime, time, timedelta

from django.db.models import Case, Count, F, IntegerField, Q, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wanjia.core import rateables
from wanjia.core.models import Compound, Region, RegionKind
from wanjia.core.roles import CAPABILITIES
from wanjia.core.scoping import get_or_404, scope_q
from wanjia.estates.models import Household

from .models import POINTS, Appeal, Level, Loop, Rating, Stage, Survey, SurveyMarker, SurveyTally
from .services import WINDOW

MIN_GROUP = 5  # a survey's results are shown for at least this many households
INDEX_DAYS = 90
FORMULA = _(
    "满意度指数 = 期间内各条评价得分之和 ÷ 评价条数。得分：非常满意 100、满意 80、基本满意 60、"
    "不满意 20、非常不满意 0；整改后居民复评的，按复评计；申诉成立的评价不计入。"
    "无评价时不计算指数。"
)
_POINTS = Case(
    *[When(level=lvl, then=Value(pts)) for lvl, pts in POINTS.items()],
    default=Value(0),
    output_field=IntegerField(),
)


def _view_roles():
    return CAPABILITIES["feedback.view"]


def compounds_for(user, action: str = "feedback.view"):
    return (
        Compound.objects.filter(scope_q(user, roles=CAPABILITIES[action], compound="id"))
        .select_related("company", "community")
        .order_by("code")
    )


def compounds_seen(user):
    return Compound.objects.filter(scope_q(user, compound="id")).select_related("company")


# ---- ratings and loops -----------------------------------------------------------


def ratings_visible_to(user):
    q = scope_q(user, roles=_view_roles(), compound="compound_id")
    return Rating.objects.filter(q).select_related("compound", "household__building", "loop")


def rating_rows():
    """Every rating, for the gate (which adds the caller's scope)."""
    return Rating.objects.select_related("compound__community", "household__building", "loop")


def ratings_of(compound, *, stage: str = "", level: str = "", kind: str = ""):
    rows = Rating.objects.filter(compound=compound).select_related("household__building", "loop")
    if stage == "open":
        rows = rows.filter(loop__isnull=False).exclude(loop__stage=Stage.CLOSED)
    elif stage in Stage.values:
        rows = rows.filter(loop__stage=stage)
    elif stage == "appeal":
        rows = rows.filter(loop__appeal=Appeal.PENDING)
    if level.isdigit():
        rows = rows.filter(level=int(level))
    if kind and kind in rateables.kinds():
        rows = rows.filter(kind=kind)
    return rows


def work_queue(compound):
    """The compound's open loops, the most urgent first."""
    return (
        Loop.objects.filter(compound=compound)
        .exclude(stage=Stage.CLOSED)
        .select_related("rating__household__building")
        .order_by("call_due", "fix_due")
    )


def events_of(loop):
    return loop.events.select_related("actor")


def loops_due(user):
    """Open call and fix steps in the compounds ``user`` handles."""
    q = scope_q(user, roles=CAPABILITIES["feedback.handle"], compound="compound_id")
    return Loop.objects.filter(q, stage__in=[Stage.CALL, Stage.FIX])


def appeals_pending(user):
    q = scope_q(user, roles=CAPABILITIES["feedback.decide"], compound="compound_id")
    return (
        Loop.objects.filter(q, appeal=Appeal.PENDING)
        .select_related("rating", "compound__company")
        .order_by("appealed_at")
    )


def appeals_decided(user, limit: int = 20):
    q = scope_q(user, roles=CAPABILITIES["feedback.decide"], compound="compound_id")
    return (
        Loop.objects.filter(q, appeal__in=[Appeal.UPHELD, Appeal.REJECTED])
        .select_related("rating", "compound")
        .order_by("-decided_at")[:limit]
    )


# ---- the resident ------------------------------------------------------------------


def my_ratings(user):
    return Rating.objects.filter(household_id__in=rateables.households_of(user)).select_related(
        "loop"
    )


def my_rating(user, pk: int):
    return get_or_404(my_ratings(user), pk=pk)


def to_rate(user) -> list:
    """The household's finished services still open for rating (within the window)."""
    households = rateables.households_of(user)
    subjects = rateables.recent(households, timezone.now() - WINDOW)
    if not subjects:
        return []
    done = set(
        Rating.objects.filter(household_id__in=households).values_list(
            "kind", "subject_id", "household_id"
        )
    )
    return [s for s in subjects if (s.kind, s.id, s.household_id) not in done]


def _resident_compounds(user) -> list[int]:
    return list(
        Household.objects.filter(pk__in=rateables.households_of(user)).values_list(
            "compound_id", flat=True
        )
    )


def open_surveys(user) -> list:
    """Surveys running today in the user's compounds, each with ``answered``."""
    today = timezone.localdate()
    rows = list(
        Survey.objects.filter(
            compound_id__in=_resident_compounds(user), starts_on__lte=today, ends_on__gte=today
        ).prefetch_related("questions")
    )
    answered = set(
        SurveyMarker.objects.filter(
            survey__in=rows, household_id__in=rateables.households_of(user)
        ).values_list("survey_id", flat=True)
    )
    for s in rows:
        s.answered = s.pk in answered
    return rows


def resident_survey(user, pk: int):
    """A survey of the resident's compound (404 otherwise)."""
    return get_or_404(
        Survey.objects.filter(compound_id__in=_resident_compounds(user)).prefetch_related(
            "questions"
        ),
        pk=pk,
    )


def has_answered(user, survey) -> bool:
    return SurveyMarker.objects.filter(
        survey=survey, household_id__in=rateables.households_of(user)
    ).exists()


# ---- surveys (the company) ----------------------------------------------------------


def surveys_of(compound):
    return Survey.objects.filter(compound=compound)


def survey_rows():
    return Survey.objects.select_related("compound__company")


def survey_closed(survey) -> bool:
    return timezone.localdate() > survey.ends_on


def survey_results(survey) -> dict:
    """What the company may see of a survey: the response count and rate
    always; each question's counts per level and its mean only once the
    survey has closed and at least ``MIN_GROUP`` households answered (a
    running tally, watched answer by answer, would tell who said what)."""
    rate = round(100 * survey.responses / survey.households, 1) if survey.households else None
    out = {
        "responses": survey.responses,
        "households": survey.households,
        "rate": rate,
        "target": survey.target_rate,
        "met": rate is not None and rate >= survey.target_rate,
        "closed": survey_closed(survey),
        "shown": False,
        "questions": [],
        "min_group": MIN_GROUP,
    }
    if not out["closed"] or survey.responses < MIN_GROUP:
        return out
    counts = defaultdict(dict)
    for t in SurveyTally.objects.filter(question__survey=survey):
        counts[t.question_id][t.level] = t.count
    for q in survey.questions.all():
        c = counts.get(q.pk, {})
        n = sum(c.values())
        points = sum(POINTS[lvl] * k for lvl, k in c.items())
        out["questions"].append(
            {
                "text": q.text,
                "n": n,
                "levels": [(lvl, c.get(lvl, 0)) for lvl in (5, 4, 3, 2, 1)],
                "labelled": [(Level(lvl).label, c.get(lvl, 0)) for lvl in (5, 4, 3, 2, 1)],
                "score": round(points / n, 1) if n else None,
            }
        )
    out["shown"] = True
    return out


# ---- the index -------------------------------------------------------------------------


def _span(start, end):
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=tz),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
    )


def _per_compound(ids, start, end) -> dict:
    lo, hi = _span(start, end)
    rows = (
        Rating.objects.filter(
            compound_id__in=ids, excluded=False, rated_at__gte=lo, rated_at__lt=hi
        )
        .values("compound_id")
        .annotate(n=Count("id"), points=Sum(_POINTS))
    )
    return {r["compound_id"]: (r["n"], r["points"] or 0) for r in rows}


def _index(parts) -> float | None:
    n = sum(p[0] for p in parts)
    return round(sum(p[1] for p in parts) / n, 1) if n else None


def index_figure(compound_ids, start, end):
    per = _per_compound(list(compound_ids), start, end)
    return _index(per.values())


def index_figure_many(groups, start, end) -> list:
    every = sorted({i for g in groups for i in g})
    per = _per_compound(every, start, end)
    return [_index([per[i] for i in g if i in per]) for g in groups]


def call_on_time(compound_ids, start, end):
    lo, hi = _span(start, end)
    now = timezone.now()
    loops = Loop.objects.filter(compound_id__in=compound_ids, opened_at__gte=lo, opened_at__lt=hi)
    due = loops.filter(Q(called_at__isnull=False) | Q(call_due__lt=now))
    n = due.count()
    if not n:
        return None
    return due.filter(called_at__isnull=False, called_at__lte=F("call_due")).count() / n


def unhappy_open_figure(compound_ids, start, end):
    _lo, hi = _span(start, end)
    return (
        Loop.objects.filter(compound_id__in=compound_ids, opened_at__lt=hi)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=hi))
        .count()
    )


def satisfaction(compound) -> dict:
    """The API's answer for one compound over the last ``INDEX_DAYS`` days."""
    end = timezone.localdate()
    start = end - timedelta(days=INDEX_DAYS - 1)
    per = _per_compound([compound.pk], start, end)
    return {
        "index": _index(per.values()),
        "ratings": sum(p[0] for p in per.values()),
        "unhappy_open": Loop.objects.filter(compound=compound).exclude(stage=Stage.CLOSED).count(),
        "formula": str(FORMULA),
        "start": start,
        "end": end,
    }


def index_table(user) -> dict:
    """The index over the last ``INDEX_DAYS`` days for each compound the user
    sees, each company and each district (区) they lie in."""
    end = timezone.localdate()
    start = end - timedelta(days=INDEX_DAYS - 1)
    compounds = list(compounds_for(user))
    ids = [c.pk for c in compounds]
    per = _per_compound(ids, start, end)
    open_loops = dict(
        Loop.objects.filter(compound_id__in=ids)
        .exclude(stage=Stage.CLOSED)
        .values("compound_id")
        .annotate(n=Count("id"))
        .values_list("compound_id", "n")
    )
    districts = {
        r.path: r for r in Region.objects.filter(kind=RegionKind.DISTRICT).order_by("path")
    }

    def row(label, members):
        parts = [per[c.pk] for c in members if c.pk in per]
        return {
            "label": label,
            "index": _index(parts),
            "ratings": sum(p[0] for p in parts),
            "open": sum(open_loops.get(c.pk, 0) for c in members),
            "compounds": len(members),
        }

    by_company, by_district = defaultdict(list), defaultdict(list)
    for c in compounds:
        by_company[c.company].append(c)
        for path, region in districts.items():
            if c.community.path.startswith(path):
                by_district[region].append(c)
    return {
        "start": start,
        "end": end,
        "areas": [
            row(r.name, cs) for r, cs in sorted(by_district.items(), key=lambda x: x[0].path)
        ],
        "companies": [
            row(co.name, cs) for co, cs in sorted(by_company.items(), key=lambda x: x[0].name)
        ],
        "compounds": [{**row(c.name, [c]), "id": c.pk} for c in compounds],
    }


def survey_running(survey) -> bool:
    return survey.starts_on <= timezone.localdate() <= survey.ends_on
