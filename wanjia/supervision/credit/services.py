"""Every write of the credit area: the settings, awards, the score computation
(idempotent: a rerun of a period leaves the same rows) and objections.

The formula, for a company and a month: ``score = base + good - bad`` where
``good`` is the sum of the good evidence's points capped at ``good_cap`` and
``bad`` the sum of the bad evidence's points, less any deduction overturned by
an upheld objection or restored after a rectification. Each stored item's
``counted`` is what it adds, so the items always add up to good and bad."""

from dataclasses import dataclass
from datetime import timedelta
from io import BytesIO

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.timezone import localdate
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wanjia.core import conduct
from wanjia.core.audit import audit
from wanjia.core.errors import Conflict, Forbidden, Invalid
from wanjia.core.models import Company, Compound, Membership
from wanjia.core.notify import notify
from wanjia.core.roles import Role

from . import access, periods
from .models import (
    Award,
    CreditItem,
    CreditScore,
    CreditSettings,
    Objection,
    ObjectionKind,
    ObjectionStatus,
)

AWARD_RULE = "supervision.award"
FILE_MAX_BYTES = 12 * 1024 * 1024
SETTING_FIELDS = (
    "base",
    "good_cap",
    "aaa_from",
    "aa_from",
    "a_from",
    "b_from",
    "award_points",
    "decide_days",
    "restore_days",
)


# -- settings ---------------------------------------------------------------


def settings_update(*, actor, values: dict) -> CreditSettings:
    """Change the city's scoring settings (the authority); field errors for
    anything not a whole number in range or grades out of order."""
    if not access.can_manage(actor):
        raise Forbidden()
    errors: dict[str, list[str]] = {}
    clean: dict[str, int] = {}
    for name in SETTING_FIELDS:
        raw = values.get(name)
        try:
            number = int(str(raw).strip())
        except (TypeError, ValueError):
            errors[name] = [gettext("请填写 0 到 200 之间的整数。")]
            continue
        if not 0 <= number <= 200:
            errors[name] = [gettext("请填写 0 到 200 之间的整数。")]
            continue
        clean[name] = number
    if not errors and not (
        clean["aaa_from"] > clean["aa_from"] > clean["a_from"] > clean["b_from"]
    ):
        errors["aaa_from"] = [gettext("等级起点须从 AAA 到 B 依次降低。")]
    if not errors and clean["decide_days"] < 1:
        errors["decide_days"] = [gettext("办理时限至少 1 天。")]
    rule_params = {}
    for rule in conduct.rules():
        raw = values.get(f"points:{rule.code}")
        if raw in (None, ""):
            continue
        try:
            points = float(str(raw).strip())
        except ValueError:
            points = -1
        if not 0 <= points <= 100 or points != points:
            errors[f"points:{rule.code}"] = [
                gettext("请填写 0 到 100 之间的分值，留空按规则默认。")
            ]
            continue
        rule_params[rule.code] = {"points": points}
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        current = CreditSettings.current()
        row = CreditSettings.objects.select_for_update().get(pk=current.pk)
        before = {name: getattr(row, name) for name in SETTING_FIELDS}
        before["rule_params"] = row.rule_params
        if (
            all(before[name] == value for name, value in clean.items())
            and (before["rule_params"] or {}) == rule_params
        ):
            return row  # saved unchanged: nothing to write or audit
        for name, value in clean.items():
            setattr(row, name, value)
        row.rule_params = rule_params
        row.updated_at = timezone.now()
        row.save()
        audit(
            actor=actor,
            action="supervision.credit.settings",
            obj=row,
            detail={"before": before, "after": {**clean, "rule_params": rule_params}},
        )
    return row


# -- awards (good conduct the authority records) ------------------------------


def award_record(
    *, actor, company: Company, title: str, issuer: str, awarded_on, points=None, note: str = ""
) -> Award:
    if not access.can_manage(actor):
        raise Forbidden()
    errors: dict[str, list[str]] = {}
    title, issuer, note = (title or "").strip(), (issuer or "").strip(), (note or "").strip()
    if not title or len(title) > 100:
        errors["title"] = [gettext("请填写表彰名称（100 字以内）。")]
    if not issuer or len(issuer) > 100:
        errors["issuer"] = [gettext("请填写颁发单位（100 字以内）。")]
    if len(note) > 300:
        errors["note"] = [gettext("说明不超过 300 字。")]
    if awarded_on is None:
        errors["awarded_on"] = [gettext("请选择表彰日期。")]
    elif awarded_on > localdate():
        errors["awarded_on"] = [gettext("表彰日期不能晚于今天。")]
    if points not in (None, ""):
        try:
            points = int(str(points).strip())
        except ValueError:
            points = -1
        if not 0 <= points <= 40:
            errors["points"] = [gettext("加分应为 0 到 40 之间的整数，留空按设置。")]
    else:
        points = None
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        award = Award.objects.create(
            company=company,
            title=title,
            issuer=issuer,
            awarded_on=awarded_on,
            points=points,
            note=note,
            recorded_by=actor,
        )
        audit(
            actor=actor,
            action="supervision.credit.award",
            obj=award,
            company=company,
            detail={"title": title, "awarded_on": awarded_on.isoformat(), "points": points},
        )
    notify(
        recipients=_company_admins(company),
        title=lambda: gettext("贵公司获得表彰：%(title)s") % {"title": title},
        link=reverse("credit_mine"),
        kind="supervision.credit.award",
    )
    return award


def award_evidence(company_ids, start, end) -> list[conduct.Evidence]:
    """The good-conduct rule ``supervision.award``: each award is worth its own
    points, else the settings' points per award."""
    default = CreditSettings.current().award_points
    found = []
    for award in Award.objects.filter(
        company_id__in=list(company_ids), awarded_on__gte=start, awarded_on__lte=end
    ).order_by("awarded_on", "pk"):
        found.append(
            conduct.Evidence(
                rule=AWARD_RULE,
                ref=f"supervision.award:{award.pk}",
                company_id=award.company_id,
                compound_id=None,
                points=float(award.points if award.points is not None else default),
                label=gettext("%(issuer)s：%(title)s")
                % {"issuer": award.issuer, "title": award.title},
                url=reverse("credit_award", args=[award.pk]),
                happened_on=award.awarded_on,
            )
        )
    return found


# -- the score ---------------------------------------------------------------


@dataclass
class Draft:
    """A score before it is stored (pure: tested without a database)."""

    base: float
    good: float
    bad: float
    score: float
    grade: str
    red: bool
    black: bool
    open_deductions: int
    items: list[dict]


def _round(value: float) -> float:
    return round(value + 0.0, 2)


def draft(
    evidence: list[conduct.Evidence],
    settings: CreditSettings,
    *,
    overturned: set[str] = frozenset(),
    restored: set[str] = frozenset(),
) -> Draft:
    """The score of one company's evidence: the formula in one place."""
    params = settings.rule_params or {}
    items = []
    good_left = float(settings.good_cap)
    good = bad = 0.0
    serious_hit = False
    open_deductions = 0
    ordered = sorted(
        evidence,
        key=lambda e: (
            conduct.rule(e.rule).kind if e.rule in _codes() else "",
            e.happened_on,
            e.ref,
        ),
    )
    for e in ordered:
        try:
            rule = conduct.rule(e.rule)
        except KeyError:
            continue
        points = float(params.get(rule.code, {}).get("points", e.points))
        points = max(0.0, _round(points))
        why_not = ""
        if rule.kind == conduct.GOOD:
            counted = min(points, max(0.0, good_left))
            good_left -= counted
            if counted < points:
                why_not = "cap"
            good += counted
        else:
            if e.ref in overturned:
                counted, why_not = 0.0, "objection"
            elif e.ref in restored:
                counted, why_not = 0.0, "restored"
            else:
                counted = points
                if counted > 0:
                    open_deductions += 1
                if rule.serious:
                    serious_hit = True
            bad += counted
        items.append(
            {
                "rule": rule.code,
                "kind": rule.kind,
                "serious": rule.serious,
                "ref": e.ref[:120],
                "points": points,
                "counted": _round(counted),
                "label": str(e.label)[:300],
                "url": (e.url or "")[:300],
                "compound_id": e.compound_id,
                "happened_on": e.happened_on,
                "why_not": why_not,
            }
        )
    good, bad = _round(good), _round(bad)
    score = _round(settings.base + good - bad)
    grade = settings.grade_of(score)
    black = grade == "C" or serious_hit
    red = (not black) and grade in ("AAA", "AA") and open_deductions == 0
    return Draft(float(settings.base), good, bad, score, grade, red, black, open_deductions, items)


def _codes() -> set[str]:
    return {r.code for r in conduct.rules()}


def scored_companies():
    """Every company that manages a compound or has an award: the ones scored."""
    return Company.objects.filter(
        pk__in=Compound.objects.values("company_id")
    ) | Company.objects.filter(pk__in=Award.objects.values("company_id"))


def scores_compute(period: str, *, company_ids=None, today=None) -> int:
    """Compute and store every company's score for ``period`` (or those of
    ``company_ids``); rerunning stores the same rows. Answers how many."""
    period = periods.parse(period)
    start, end = periods.bounds(period)
    today = today or localdate()
    settings = CreditSettings.current()
    companies = scored_companies().distinct()
    if company_ids is not None:
        companies = companies.filter(pk__in=list(company_ids))
    ids = list(companies.values_list("pk", flat=True))
    if not ids:
        return 0
    evidence: dict[int, list[conduct.Evidence]] = {pk: [] for pk in ids}
    for rule in conduct.rules():
        for e in rule.collect(ids, start, end):
            if e.company_id in evidence and e.rule == rule.code:
                evidence[e.company_id].append(e)
    decided = Objection.objects.filter(company_id__in=ids, status=ObjectionStatus.UPHELD)
    overturned: dict[int, set[str]] = {}
    restored: dict[int, set[str]] = {}
    for o in decided:
        if o.kind == ObjectionKind.CONTEST:
            overturned.setdefault(o.company_id, set()).add(o.ref)
        elif o.restores_on is not None and o.restores_on <= today:
            restored.setdefault(o.company_id, set()).add(o.ref)
    for pk in ids:
        d = draft(
            evidence[pk],
            settings,
            overturned=overturned.get(pk, set()),
            restored=restored.get(pk, set()),
        )
        _store(pk, period, d, settings)
    return len(ids)


def _store(company_id: int, period: str, d: Draft, settings: CreditSettings) -> CreditScore:
    fields = {
        "base": d.base,
        "good": d.good,
        "bad": d.bad,
        "score": d.score,
        "grade": d.grade,
        "good_cap": float(settings.good_cap),
        "red": d.red,
        "black": d.black,
        "open_deductions": d.open_deductions,
        "computed_at": timezone.now(),
    }
    for _attempt in range(3):
        try:
            with transaction.atomic():
                row, created = CreditScore.objects.get_or_create(
                    company_id=company_id, period=period, defaults=fields
                )
                row = CreditScore.objects.select_for_update().get(pk=row.pk)
                if not created:
                    for name, value in fields.items():
                        setattr(row, name, value)
                    row.save()
                row.items.all().delete()
                CreditItem.objects.bulk_create([CreditItem(score=row, **item) for item in d.items])
                return row
        except IntegrityError:  # another worker created the row first: lock it and redo
            continue
    raise Conflict(gettext("信用分正在计算，请稍后再试。"))


def scores_run(*, today=None) -> int:
    """The daily job: this month and last month (late evidence, restorations
    that fell due), once a day whatever the number of workers."""
    from wanjia.core.periodic import claim

    today = today or localdate()
    slot = timezone.make_aware(
        timezone.datetime(today.year, today.month, today.day), timezone.get_default_timezone()
    )
    if not claim("wanjia.supervision.credit.daily", slot):
        return 0
    count = 0
    this = periods.current(today)
    due = {periods.shift(this, -1), this}
    # repairs whose restoration falls due today (or fell due yesterday, if a day was missed)
    due |= set(
        Objection.objects.filter(
            kind=ObjectionKind.REPAIR,
            status=ObjectionStatus.UPHELD,
            restores_on__gte=today - timedelta(days=1),
            restores_on__lte=today,
        ).values_list("period", flat=True)
    )
    for period in sorted(due):
        count += scores_compute(period, today=today)
    audit(
        actor=None,
        action="supervision.credit.computed",
        detail={"periods": sorted(due), "scores": count},
    )
    return count


# -- objections and repair -----------------------------------------------------


def _company_admins(company):
    return [
        m.user
        for m in Membership.objects.filter(role=Role.COMPANY_ADMIN, company=company).select_related(
            "user"
        )
    ]


def _regulators(company):
    """The regulators whose region covers a compound of the company (or the
    whole city, for a company without compounds)."""
    paths = list(Compound.objects.filter(company=company).values_list("community__path", flat=True))
    found = []
    for m in Membership.objects.filter(role=Role.REGULATOR).select_related("region", "user"):
        if m.region is None:
            continue
        if not paths or any(p.startswith(m.region.path) for p in paths):
            found.append(m.user)
    return found


def _checked_file(upload):
    """An image (re-encoded as JPEG) or a PDF (its header checked)."""
    if not upload:
        return None, ""
    if getattr(upload, "size", 0) > FILE_MAX_BYTES:
        raise Invalid({"file": [gettext("附件不能超过 12 MB。")]})
    head = upload.read(5)
    upload.seek(0)
    if head == b"%PDF-":
        return ContentFile(upload.read()), "pdf"
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(upload) as img:
            img = ImageOps.exif_transpose(img).convert("RGB")
            img.thumbnail((1600, 1600))
            out = BytesIO()
            img.save(out, "JPEG", quality=80)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise Invalid({"file": [gettext("附件无法识别，请上传 JPG、PNG 图片或 PDF。")]}) from None
    return ContentFile(out.getvalue()), "jpg"


def objection_lodge(*, actor, item: CreditItem, kind: str, text: str, upload=None) -> Objection:
    """A company admin contests a deduction, or shows it rectified."""
    score = item.score
    if not Membership.objects.filter(
        user=actor, role=Role.COMPANY_ADMIN, company_id=score.company_id
    ).exists():
        raise Forbidden()
    errors: dict[str, list[str]] = {}
    if kind not in ObjectionKind.values:
        errors["kind"] = [gettext("请选择异议或信用修复。")]
    text = (text or "").strip()
    if len(text) < 5 or len(text) > 2000:
        errors["text"] = [gettext("请写明理由和证据（5 到 2000 字）。")]
    if item.kind != conduct.BAD or item.counted <= 0:
        errors["item"] = [gettext("只能对计入扣分的记录提出异议或修复。")]
    if errors:
        raise Invalid(errors)
    content, ext = _checked_file(upload)
    settings = CreditSettings.current()
    now = timezone.now()
    try:
        with transaction.atomic():
            objection = Objection.objects.create(
                company_id=score.company_id,
                kind=kind,
                period=score.period,
                rule=item.rule,
                ref=item.ref,
                item_label=item.label,
                points=item.counted,
                text=text,
                lodged_by=actor,
                lodged_at=now,
                due_at=now + timedelta(days=settings.decide_days),
            )
            if content is not None:
                objection.file.save(f"objection-{objection.pk}.{ext}", content, save=True)
            audit(
                actor=actor,
                action="supervision.credit.objection_lodged",
                obj=objection,
                company=score.company,
                detail={"kind": kind, "ref": item.ref, "period": score.period},
            )
    except IntegrityError:
        raise Conflict(gettext("这条记录已有待裁定的申请。")) from None
    company = score.company
    notify(
        recipients=_regulators(company),
        title=lambda: (
            gettext("%(company)s 对信用扣分提出%(kind)s")
            % {"company": company.name, "kind": ObjectionKind(kind).label}
        ),
        body=text,
        link=reverse("credit_objection", args=[objection.pk]),
        kind="supervision.credit.objection",
    )
    return objection


def objection_decide(*, actor, objection: Objection, upheld: bool, reason: str) -> Objection:
    """The authority decides: upheld, the deduction stops counting (a repair:
    from ``restores_on``) and the period is recomputed; both sides notified."""
    if not access.can_manage(actor):
        raise Forbidden()
    reason = (reason or "").strip()
    if len(reason) < 2 or len(reason) > 2000:
        raise Invalid({"reason": [gettext("请写明裁定意见（2 到 2000 字）。")]})
    settings = CreditSettings.current()
    now = timezone.now()
    status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.REJECTED
    restores_on = None
    if upheld and objection.kind == ObjectionKind.REPAIR:
        restores_on = localdate(now) + timedelta(days=settings.restore_days)
    with transaction.atomic():
        changed = Objection.objects.filter(pk=objection.pk, status=ObjectionStatus.PENDING).update(
            status=status,
            decided_by=actor,
            decided_at=now,
            reason=reason,
            restores_on=restores_on,
        )
        if not changed:
            raise Conflict(gettext("该申请已经裁定。"))
        objection.refresh_from_db()
        audit(
            actor=actor,
            action="supervision.credit.objection_decided",
            obj=objection,
            company=objection.company,
            detail={"status": status, "reason": reason, "restores_on": str(restores_on or "")},
        )
    if upheld and objection.kind == ObjectionKind.CONTEST:
        scores_compute(objection.period, company_ids=[objection.company_id])
    link = reverse("credit_objection", args=[objection.pk])
    outcome = ObjectionStatus(status).label
    notify(
        recipients=[*_company_admins(objection.company), objection.lodged_by, actor],
        title=lambda: (
            gettext("信用%(kind)s已裁定：%(outcome)s")
            % {"kind": ObjectionKind(objection.kind).label, "outcome": outcome}
        ),
        body=reason,
        link=link,
        kind="supervision.credit.decided",
    )
    return objection


AUDIT_PHRASES = {
    "supervision.credit.export": _("导出企业信用表"),
    "supervision.credit.settings": _("修改信用评分设置"),
    "supervision.credit.award": _("录入企业表彰"),
    "supervision.credit.computed": _("计算信用分"),
    "supervision.credit.objection_lodged": _("提出信用异议"),
    "supervision.credit.objection_decided": _("裁定信用异议"),
}
