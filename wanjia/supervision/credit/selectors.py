"""Every scoped read of the credit area. A regulator sees the companies that
manage a compound in its region; a company admin its own company only. Pages
and the API read stored scores (``CreditScore``), never the evidence tables."""

from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from wanjia.core.models import Company, Compound, Region
from wanjia.core.roles import Role
from wanjia.core.scoping import NOT_FOUND, memberships_of, scope_q

from . import periods
from .models import Award, CreditScore, CreditSettings, Objection, ObjectionStatus

READERS = {Role.REGULATOR, Role.COMPANY_ADMIN}


def companies_visible(user):
    if getattr(user, "is_superuser", False):
        return Company.objects.all()
    compounds = Compound.objects.filter(scope_q(user, roles=READERS, compound="id"))
    own = [
        m.company_id for m in memberships_of(user) if m.role == Role.COMPANY_ADMIN and m.company_id
    ]
    return Company.objects.filter(
        Q(pk__in=compounds.values("company_id")) | Q(pk__in=own)
    ).distinct()


def company_or_404(user, company_id) -> Company:
    found = companies_visible(user).filter(pk=company_id).first()
    if found is None:
        raise Http404(_(NOT_FOUND))
    return found


def regions_for(user):
    """The districts and streets a regulator may filter by."""
    q = Q(pk__in=[])
    for m in memberships_of(user):
        if m.role == Role.REGULATOR and m.region_id:
            q |= Q(path__startswith=m.region.path)
    if getattr(user, "is_superuser", False):
        q = Q()
    return Region.objects.filter(q, kind__in=("district", "street")).order_by("path")


def ranking(user, period: str, *, region: Region | None = None) -> list[dict]:
    """The visible companies' stored scores for ``period``, best first, each
    with its rank among them (ties share a rank) and its movement since the
    previous period (positive: climbed)."""
    companies = companies_visible(user)
    if region is not None:
        companies = companies.filter(
            pk__in=Compound.objects.filter(community__path__startswith=region.path).values(
                "company_id"
            )
        )
    ids = list(companies.values_list("pk", flat=True))
    rows = list(
        CreditScore.objects.filter(company_id__in=ids, period=period)
        .select_related("company")
        .order_by("-score", "company__name")
    )
    before = list(
        CreditScore.objects.filter(company_id__in=ids, period=periods.shift(period, -1))
        .order_by("-score")
        .values_list("company_id", "score")
    )
    prev_rank = _ranks(before)
    ranks = _ranks([(r.company_id, r.score) for r in rows])
    out = []
    total = len(rows)
    for index, row in enumerate(rows):
        rank = ranks[row.company_id]
        old = prev_rank.get(row.company_id)
        out.append(
            {
                "row": row,
                "company": row.company,
                "rank": rank,
                "movement": None if old is None else old - rank,
                "top": index < 5,
                "bottom": total > 5 and index >= total - 5,
            }
        )
    return out


def _ranks(pairs) -> dict[int, int]:
    ranks, last, rank = {}, None, 0
    for index, (company_id, score) in enumerate(pairs):
        if score != last:
            rank, last = index + 1, score
        ranks[company_id] = rank
    return ranks


def score_of(company: Company, period: str) -> CreditScore | None:
    return (
        CreditScore.objects.filter(company=company, period=period)
        .prefetch_related("items__compound")
        .first()
    )


def history(company: Company, period: str, months: int = 12) -> list[CreditScore]:
    wanted = periods.recent(period, months)
    return list(CreditScore.objects.filter(company=company, period__in=wanted).order_by("period"))


def item_or_404(user, item_id):
    from .models import CreditItem

    found = (
        CreditItem.objects.filter(score__company__in=companies_visible(user), pk=item_id)
        .select_related("score__company")
        .first()
    )
    if found is None:
        raise Http404(_(NOT_FOUND))
    return found


def objections_visible(user, *, status: str = ""):
    qs = Objection.objects.filter(company__in=companies_visible(user)).select_related("company")
    if status:
        qs = qs.filter(status=status)
    return qs


def objection_or_404(user, pk) -> Objection:
    found = objections_visible(user).filter(pk=pk).first()
    if found is None:
        raise Http404(_(NOT_FOUND))
    return found


def pending_objections(user):
    return objections_visible(user, status=ObjectionStatus.PENDING).order_by("due_at")


def objections_of(company: Company, period: str | None = None):
    qs = Objection.objects.filter(company=company)
    return qs.filter(period=period) if period else qs


def awards_visible(user):
    return Award.objects.filter(company__in=companies_visible(user)).select_related("company")


def award_or_404(user, pk) -> Award:
    found = awards_visible(user).filter(pk=pk).first()
    if found is None:
        raise Http404(_(NOT_FOUND))
    return found


def lists(user, period: str, *, black: bool) -> list[CreditScore]:
    ids = companies_visible(user).values("pk")
    flag = {"black": True} if black else {"red": True}
    return list(
        CreditScore.objects.filter(company_id__in=ids, period=period, **flag)
        .select_related("company")
        .prefetch_related("items")
        .order_by("-score" if not black else "score", "company__name")
    )


def settings() -> CreditSettings:
    return CreditSettings.current()
