"""Reads of the stored scores (never recomputed on a page). The wall screen calls:

- ``grades(period) -> {company_id: grade}``;
- ``company_ranking(period, companies=None) -> [{"rank", "company_id", "name",
  "score", "grade", "move", "red", "black"}]``, best first."""

from .models import CreditScore


def scores(period: str, companies=None):
    qs = CreditScore.objects.filter(period=period).select_related("company")
    if companies is not None:
        qs = qs.filter(company__in=companies)
    return qs.order_by("rank", "company__name", "pk")


def grades(period: str) -> dict[int, str]:
    return dict(CreditScore.objects.filter(period=period).values_list("company_id", "grade"))


def company_ranking(period: str, companies=None) -> list[dict]:
    from ..rollups.services import previous_period

    before = dict(
        CreditScore.objects.filter(period=previous_period(period)).values_list("company_id", "rank")
    )
    out = []
    for s in scores(period, companies):
        was = before.get(s.company_id)
        out.append(
            {
                "rank": s.rank,
                "company_id": s.company_id,
                "name": s.company.name,
                "score": s.score,
                "grade": s.grade,
                "red": s.red,
                "black": s.black,
                "move": None if was is None or s.rank is None else was - s.rank,
            }
        )
    return out


def score_of(company_id: int, period: str) -> CreditScore | None:
    return (
        CreditScore.objects.filter(company_id=company_id, period=period)
        .select_related("company")
        .first()
    )


def history(company_id: int, periods: list[str]) -> list[CreditScore | None]:
    found = {
        s.period: s for s in CreditScore.objects.filter(company_id=company_id, period__in=periods)
    }
    return [found.get(p) for p in periods]
