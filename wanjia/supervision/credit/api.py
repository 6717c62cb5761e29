"""The credit API under /api/v1/supervision/ (the names the issue fixes).

``period`` is "YYYY-MM" (the current month when left out); anything else is a
422 naming the field. A regulator reads the companies of its region, a company
admin only its own row; another company's id is a 404 like a missing one.
Scores are the stored ones (computed daily): ``base + good - bad == score`` and
the items' ``points`` add up to ``good`` and ``bad`` (an item beyond the
good-conduct cap, or whose deduction was overturned, counts what it adds)."""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import Router, Schema

from wanjia.core.errors import NotFound
from wanjia.core.schemas import COMMON_ERRORS, Id

from . import access, periods, selectors

router = Router(tags=["supervision"])


class CompanyRow(Schema):
    id: int
    name: str
    score: float
    grade: str
    rank: int


class CompanyList(Schema):
    items: list[CompanyRow]
    count: int


class EvidenceOut(Schema):
    ref: str
    label: str
    url: str
    happened_on: date
    compound: str | None


class ItemOut(Schema):
    rule: str
    kind: str
    points: float
    evidence: EvidenceOut


class ScoreOut(Schema):
    company: int
    period: str
    score: float
    grade: str
    base: float
    good: float
    bad: float
    good_cap: float
    red: bool
    black: bool
    items: list[ItemOut]


@router.get(
    "/companies", response={200: CompanyList, **COMMON_ERRORS}, summary="物业企业信用分排名"
)
def company_list(request, period: str = ""):
    """The visible companies' scores for the period, best first, with rank."""
    user = request.auth
    if not access.can_view(user):
        raise PermissionDenied
    period = periods.parse(period)
    rows = selectors.ranking(user, period)
    items = [
        {
            "id": r["company"].pk,
            "name": r["company"].name,
            "score": r["row"].score,
            "grade": r["row"].grade,
            "rank": r["rank"],
        }
        for r in rows
    ]
    return {"items": items, "count": len(items)}


@router.get(
    "/companies/{company_id}/score",
    response={200: ScoreOut, **COMMON_ERRORS},
    summary="企业信用分及其证据",
)
def company_score(request, company_id: Id, period: str = ""):
    """One company's score for the period: the formula's terms and each
    item with its evidence record."""
    user = request.auth
    if not access.can_view(user):
        raise PermissionDenied
    period = periods.parse(period)
    company = selectors.company_or_404(user, company_id)
    score = selectors.score_of(company, period)
    if score is None:
        raise NotFound(_("该期间还没有计算信用分。"))
    return {
        "company": company.pk,
        "period": period,
        "score": score.score,
        "grade": score.grade,
        "base": score.base,
        "good": score.good,
        "bad": score.bad,
        "good_cap": score.good_cap,
        "red": score.red,
        "black": score.black,
        "items": [
            {
                "rule": i.rule,
                "kind": i.kind,
                "points": i.counted,
                "evidence": {
                    "ref": i.ref,
                    "label": i.label,
                    "url": i.url,
                    "happened_on": i.happened_on,
                    "compound": i.compound.name if i.compound else None,
                },
            }
            for i in score.items.all()
        ],
    }
