"""Scoring: for each company and month, every registered conduct rule
(core.conduct) collects its evidence over the scoring window; the score is

    score = base + min(good, cap) − bad

with every point an item that names its record. When good conduct passes the
cap the surplus is its own negative item ("超出加分上限"), so the good items
always add up to the good points shown. Rerunning a month rewrites its rows."""

from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wanjia.core import conduct
from wanjia.core.audit import audit
from wanjia.core.errors import Invalid
from wanjia.core.models import Company

from ..rollups.services import bounds, current_period, periods_back, previous_period
from .models import GOOD_KINDS, ConductRecord, CreditItem, CreditScore, Grade, RecordKind

CAP_RULE = "supervision.good_cap"


def config() -> dict:
    return settings.SUPERVISION_CREDIT


def window(period: str, today: date | None = None) -> tuple[date, date]:
    first = periods_back(period, config()["window_months"])[0]
    return bounds(first, today)[0], bounds(period, today)[1]


def grade_of(score: Decimal) -> str:
    lines = config()["grades"]
    for grade in (Grade.AAA, Grade.AA, Grade.A, Grade.B):
        if score >= lines[grade]:
            return grade
    return Grade.C


def _d(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def score_month(period: str, *, today: date | None = None) -> list[CreditScore]:
    """(Re)compute every company's score for ``period``."""
    start, end = window(period, today)
    companies = list(Company.objects.order_by("pk"))
    ids = [c.pk for c in companies]
    evidence = defaultdict(list)
    for rule in conduct.rules():
        for ev in rule.collect(ids, start, end):
            evidence[ev.company_id].append((rule, ev))
    cfg = config()
    base, cap = _d(cfg["base"]), _d(cfg["good_cap"])
    scores = []
    with transaction.atomic():
        CreditScore.objects.filter(period=period).delete()
        for company in companies:
            items = [
                CreditItem(
                    rule=rule.code,
                    kind=rule.kind,
                    ref=ev.ref,
                    points=_d(ev.points) if rule.kind == conduct.GOOD else -_d(ev.points),
                    label=ev.label[:300],
                    url=ev.url[:300],
                    compound_id=ev.compound_id,
                    happened_on=ev.happened_on,
                    serious=rule.serious,
                )
                for rule, ev in evidence[company.pk]
            ]
            good_raw = sum((i.points for i in items if i.kind == conduct.GOOD), Decimal("0"))
            bad = -sum((i.points for i in items if i.kind == conduct.BAD), Decimal("0"))
            good = min(good_raw, cap)
            if good_raw > cap:
                items.append(
                    CreditItem(
                        rule=CAP_RULE,
                        kind=conduct.GOOD,
                        ref=f"{CAP_RULE}:{company.pk}:{period}",
                        points=-(good_raw - cap),
                        label=_("加分超出上限 %(cap)s 分的部分不计") % {"cap": cap},
                        happened_on=end,
                    )
                )
            score = max(Decimal("0"), base + good - bad)
            grade = grade_of(score)
            serious = any(i.serious for i in items)
            row = CreditScore.objects.create(
                company=company,
                period=period,
                base=base,
                good=good,
                bad=bad,
                score=score,
                grade=grade,
                red=grade in (Grade.AAA, Grade.AA) and bad == 0 and not serious,
                black=grade == Grade.C or serious,
            )
            for item in items:
                item.score = row
            CreditItem.objects.bulk_create(items)
            scores.append(row)
        ordered = sorted(scores, key=lambda s: (-s.score, s.company_id))
        rank, last = 0, None
        for n, s in enumerate(ordered, start=1):
            if s.score != last:
                rank, last = n, s.score
            s.rank = rank
        CreditScore.objects.bulk_update(scores, ["rank"])
    return scores


def score_due(today: date | None = None) -> list[str]:
    """The daily job: this month's scores, and last month's again in its first days."""
    today = today or timezone.localdate()
    period = current_period(today)
    done = [period]
    score_month(period, today=today)
    if today.day <= 3:
        score_month(previous_period(period), today=today)
        done.insert(0, previous_period(period))
    return done


# ---- the authority's own records ------------------------------------------------

POINT_LIMITS = {
    RecordKind.AWARD: (1, 20),
    RecordKind.COMMENDATION: (1, 10),
    RecordKind.VIOLATION: (1, 20),
    RecordKind.SERIOUS: (10, 60),
}


def record_add(*, actor, company, kind, title, points, happened_on, note="") -> ConductRecord:
    errors = {}
    if kind not in RecordKind.values:
        errors["kind"] = [_("请选择类别。")]
    title = (title or "").strip()
    if not title:
        errors["title"] = [_("请填写事由。")]
    elif len(title) > 200:
        errors["title"] = [_("事由不超过200字。")]
    try:
        value = Decimal(str(points).strip())
    except Exception:  # noqa: BLE001 (any unparsable text is a field error)
        value = None
    if kind in RecordKind.values:
        low, high = POINT_LIMITS[kind]
        if value is None or not value.is_finite() or not low <= value <= high:
            errors["points"] = [
                _("分值应为 %(low)s 到 %(high)s 之间的数。") % {"low": low, "high": high}
            ]
    if not isinstance(happened_on, date):
        errors["happened_on"] = [_("请填写日期（如 2026-12-01）。")]
    elif happened_on > timezone.localdate():
        errors["happened_on"] = [_("日期不能晚于今天。")]
    if len(note or "") > 2000:
        errors["note"] = [_("说明不超过2000字。")]
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        record = ConductRecord.objects.create(
            company=company,
            kind=kind,
            title=title,
            points=_d(value),
            happened_on=happened_on,
            note=note or "",
            recorded_by=actor,
        )
        audit(
            actor=actor,
            action="supervision.record.added",
            detail={"record": record.pk, "company": company.pk, "kind": kind, "points": str(value)},
        )
    return record


def record_withdraw(*, actor, record: ConductRecord) -> ConductRecord:
    with transaction.atomic():
        n = ConductRecord.objects.filter(pk=record.pk, withdrawn_at__isnull=True).update(
            withdrawn_at=timezone.now()
        )
        if n:
            audit(
                actor=actor,
                action="supervision.record.withdrawn",
                detail={"record": record.pk, "company": record.company_id},
            )
    record.refresh_from_db()
    return record


def records_evidence(kinds, rule: str):
    from django.urls import reverse

    def collect(company_ids, start, end):
        return [
            conduct.Evidence(
                rule=rule,
                ref=f"supervision.record:{r.pk}",
                company_id=r.company_id,
                compound_id=None,
                points=float(r.points),
                label=f"{r.get_kind_display()}：{r.title}",
                url=reverse("supervision_record", args=[r.pk]),
                happened_on=r.happened_on,
            )
            for r in ConductRecord.objects.filter(
                company_id__in=company_ids,
                kind__in=kinds,
                happened_on__gte=start,
                happened_on__lte=end,
                withdrawn_at__isnull=True,
            ).order_by("happened_on", "pk")
        ]

    return collect


GOOD_RECORD_KINDS = GOOD_KINDS
