"""The credit API (names fixed by the issue):

- GET /api/v1/supervision/companies?period=YYYY-MM -> {"items": [{"id", "name",
  "score", "grade", "rank"}], "count"}: the authority sees the companies serving
  its regions, a company admin only its own row;
- GET /api/v1/supervision/companies/{id}/score?period=YYYY-MM -> {"score",
  "grade", "base", "good", "bad", "items": [{"rule", "points", "evidence"}]}
  where base + good − bad == score and the items add up to good and bad.

Another company's id is a 404; a bad period a field error (422)."""

from django.core.exceptions import PermissionDenied
from ninja import Query, Router, Schema

from wanjia.core.schemas import COMMON_ERRORS, ErrorOut
from wanjia.core.scoping import get_or_404

from ..rollups.services import current_period, parse_period
from . import access, selectors

router = Router(tags=["supervision"])


class PeriodQuery(Schema):
    period: str = ""


class CompanyRow(Schema):
    id: int
    name: str
    score: float
    grade: str
    rank: int | None


class CompanyList(Schema):
    period: str
    items: list[CompanyRow]
    count: int


class EvidenceOut(Schema):
    ref: str
    label: str
    url: str
    date: str
    compound: int | None


class ItemOut(Schema):
    rule: str
    kind: str  # "good" or "bad"
    points: float  # good items add up to ``good``, bad items to ``bad``
    evidence: EvidenceOut


class ScoreOut(Schema):
    company: int
    period: str
    score: float
    grade: str
    base: float
    good: float
    bad: float
    red: bool
    black: bool
    items: list[ItemOut]


def _period(raw: str) -> str:
    return parse_period(raw) if raw else current_period()


@router.get(
    "/companies",
    response={200: CompanyList, 422: ErrorOut, **COMMON_ERRORS},
    summary="企业信用列表",
)
def companies(request, q: Query[PeriodQuery]):
    if not access.reads_any(request.auth):
        raise PermissionDenied
    period = _period(q.period)
    rows = selectors.scores(period, access.companies_of(request.auth))
    items = [
        {
            "id": s.company_id,
            "name": s.company.name,
            "score": float(s.score),
            "grade": s.grade,
            "rank": s.rank,
        }
        for s in rows
    ]
    return {"period": period, "items": items, "count": len(items)}


@router.get(
    "/companies/{company_id}/score",
    response={200: ScoreOut, 422: ErrorOut, **COMMON_ERRORS},
    summary="企业信用分及明细",
)
def company_score(request, company_id: int, q: Query[PeriodQuery]):
    if not access.reads_any(request.auth):
        raise PermissionDenied
    period = _period(q.period)
    company = get_or_404(access.companies_of(request.auth), pk=company_id)
    score = selectors.score_of(company.pk, period)
    if score is None:
        from django.http import Http404
        from django.utils.translation import gettext as _

        raise Http404(_("该统计期的信用分尚未计算。"))
    return {
        "company": company.pk,
        "period": period,
        "score": float(score.score),
        "grade": score.grade,
        "base": float(score.base),
        "good": float(score.good),
        "bad": float(score.bad),
        "red": score.red,
        "black": score.black,
        "items": [
            {
                "rule": i.rule,
                "kind": i.kind,
                "points": float(-i.points if i.kind == "bad" else i.points),
                "evidence": {
                    "ref": i.ref,
                    "label": i.label,
                    "url": i.url,
                    "date": i.happened_on.isoformat(),
                    "compound": i.compound_id,
                },
            }
            for i in score.items.all()
        ],
    }
