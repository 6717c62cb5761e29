"""After the event: each affected compound's after-action report (复盘报告),
the regulator's acceptance or return of it, the city summary, and the
nominations of people and teams from that work.

A report may be written once the event is closed. Its figures are read from
the event's own records whenever it is saved (never typed): checklist items
done, daily reports sent and late, the roll call, supplies delivered. Each
step is a conditional UPDATE on the status it leaves, so two clicks (or two
officers) accept a report once."""

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from wanjia.core.audit import audit
from wanjia.core.errors import Conflict, Forbidden, Invalid
from wanjia.core.notify import notify

from .. import access
from ..models import (
    AfterAction,
    AfterStatus,
    Answer,
    ChecklistItem,
    DailyReport,
    Group,
    MaterialRequest,
    Nomination,
    NomineeKind,
    RollCallEntry,
    Stage,
    Status,
)
from .events import _staff_of, timeline

TEXT_MAX = 2000
CITATION_MAX = 1000
EDITABLE = (AfterStatus.DRAFT, AfterStatus.RETURNED)
FIGURES = (
    "items_done",
    "items_total",
    "reports_sent",
    "reports_late",
    "people_moved",
    "incidents",
    "vulnerable_safe",
    "vulnerable_help",
    "vulnerable_unknown",
    "responders_answered",
    "responders_total",
    "materials_delivered",
)


def figures_of(event, compound_ids) -> dict[int, dict]:
    """Per compound, the figures its report carries, from the event's records."""
    ids = list(compound_ids)
    out = {pk: dict.fromkeys(FIGURES, 0) for pk in ids}
    for r in (
        ChecklistItem.objects.filter(event=event, compound_id__in=ids)
        .values("compound_id")
        .annotate(total=Count("id"), done=Count("id", filter=Q(done_at__isnull=False)))
    ):
        out[r["compound_id"]].update(items_done=r["done"], items_total=r["total"])
    for r in (
        DailyReport.objects.filter(event=event, compound_id__in=ids)
        .values("compound_id")
        .annotate(
            n=Count("id"),
            late=Count("id", filter=Q(late=True)),
            moved=Sum("people_moved"),
            incidents=Sum("incidents"),
        )
    ):
        out[r["compound_id"]].update(
            reports_sent=r["n"],
            reports_late=r["late"],
            people_moved=r["moved"] or 0,
            incidents=r["incidents"] or 0,
        )
    for r in (
        RollCallEntry.objects.filter(event=event, compound_id__in=ids)
        .values("compound_id", "group", "answer")
        .annotate(n=Count("id"))
    ):
        f = out[r["compound_id"]]
        if r["group"] == Group.VULNERABLE:
            key = {
                Answer.SAFE: "vulnerable_safe",
                Answer.NEEDS_HELP: "vulnerable_help",
                Answer.UNKNOWN: "vulnerable_unknown",
            }[r["answer"]]
            f[key] += r["n"]
        else:
            f["responders_total"] += r["n"]
            if r["answer"] != Answer.UNKNOWN:
                f["responders_answered"] += r["n"]
    for r in (
        MaterialRequest.objects.filter(event=event, compound_id__in=ids, stage=Stage.DELIVERED)
        .values("compound_id")
        .annotate(q=Sum("quantity"))
    ):
        out[r["compound_id"]]["materials_delivered"] = r["q"] or 0
    return out


def _closed(event) -> None:
    if event.status != Status.CLOSED:
        raise Conflict(gettext("应急事件结束后才能撰写复盘报告和推荐先进。"))


def _text(errors, name, value, *, required, limit=TEXT_MAX, message="") -> str:
    value = (value or "").strip()
    if required and not value:
        errors[name] = [message]
    elif len(value) > limit:
        errors[name] = [gettext("不能超过 %(n)s 个字。") % {"n": limit}]
    return value


def after_save(*, actor, event, compound, happened, worked, improve, submit=False) -> AfterAction:
    """Save (and with ``submit``, send for acceptance) the compound's report.
    A draft may be partly blank; a submitted one needs all three parts."""
    if not access.can_write_after(actor, compound):
        raise Forbidden
    _closed(event)
    errors = {}
    fields = {
        "happened": _text(
            errors, "happened", happened, required=submit, message=gettext("请写明经过。")
        ),
        "worked": _text(
            errors, "worked", worked, required=submit, message=gettext("请写明有效做法。")
        ),
        "improve": _text(
            errors, "improve", improve, required=submit, message=gettext("请写明改进之处。")
        ),
    }
    if errors:
        raise Invalid(errors)
    now = timezone.now()
    figures = figures_of(event, [compound.pk])[compound.pk]
    with transaction.atomic():
        try:
            with transaction.atomic():
                report, _created = AfterAction.objects.get_or_create(
                    event=event,
                    compound=compound,
                    defaults={**fields, "figures": figures, "written_by": actor},
                )
        except IntegrityError:  # written at the same moment by a colleague
            report = AfterAction.objects.get(event=event, compound=compound)
        report = AfterAction.objects.select_for_update().get(pk=report.pk)
        if report.status not in EDITABLE:
            raise Conflict(gettext("复盘报告已提交，不能再修改。"))
        same = all(getattr(report, k) == v for k, v in fields.items())
        if not submit and same and report.figures == figures:
            return report  # saved again unchanged: nothing to write
        for k, v in fields.items():
            setattr(report, k, v)
        report.figures = figures
        report.written_by = actor
        report.updated_at = now
        if submit:
            report.status = AfterStatus.SUBMITTED
            report.submitted_at = now
        report.save()
        audit(
            actor=actor,
            action="emergency.after.submitted" if submit else "emergency.after.saved",
            obj=report,
            compound=compound,
            detail={"event": event.pk},
        )
        if submit:
            timeline(event, "after_submitted", compound=compound, at=now)
            if event.closed_by or event.opened_by:
                notify(
                    recipients=[event.closed_by or event.opened_by],
                    title=lambda: (
                        gettext("复盘报告待验收：%(compound)s") % {"compound": compound.name}
                    ),
                    body=lambda: gettext("%(title)s 的复盘报告已提交。") % {"title": event.title},
                    link=reverse("emergency_after_event", args=[event.pk]),
                    kind="emergency.after_submitted",
                )
    return report


def _decide(*, actor, report, to: str, reason: str = "") -> AfterAction:
    if not access.can_command_event(actor, report.event):
        raise Forbidden
    reason = (reason or "").strip()
    if to == AfterStatus.RETURNED and not reason:
        raise Invalid({"reason": [gettext("退回时请写明需要补充或修改的内容。")]})
    if len(reason) > 300:
        raise Invalid({"reason": [gettext("不能超过 %(n)s 个字。") % {"n": 300}]})
    now = timezone.now()
    with transaction.atomic():
        moved = AfterAction.objects.filter(pk=report.pk, status=AfterStatus.SUBMITTED).update(
            status=to, reviewed_by=actor, reviewed_at=now, return_reason=reason
        )
        if not moved:
            raise Conflict(gettext("该复盘报告不在待验收状态。"))
        report.refresh_from_db()
        accepted = to == AfterStatus.ACCEPTED
        audit(
            actor=actor,
            action="emergency.after.accepted" if accepted else "emergency.after.returned",
            obj=report,
            compound=report.compound,
            detail={"reason": reason} if reason else {},
        )
        ec = report.event.affected.filter(compound=report.compound).first()
        people = [u for _r, u in _staff_of([report.compound])[report.compound_id]]
        if report.written_by:
            people.append(report.written_by)
        notify(
            recipients=people,
            title=(
                (lambda: gettext("复盘报告已验收：%(title)s") % {"title": report.event.title})
                if accepted
                else (lambda: gettext("复盘报告被退回：%(title)s") % {"title": report.event.title})
            ),
            body=reason,
            link=reverse("emergency_after", args=[ec.pk]) if ec else "",
            kind="emergency.after_reviewed",
        )
    return report


def after_accept(*, actor, report) -> AfterAction:
    return _decide(actor=actor, report=report, to=AfterStatus.ACCEPTED)


def after_return(*, actor, report, reason) -> AfterAction:
    return _decide(actor=actor, report=report, to=AfterStatus.RETURNED, reason=reason)


def summary_save(*, actor, event, summary) -> None:
    """The regulator's city after-action summary of a closed event."""
    if not access.can_command_event(actor, event):
        raise Forbidden
    _closed(event)
    errors = {}
    text = _text(
        errors, "summary", summary, required=True, limit=5000, message=gettext("请填写总结。")
    )
    if errors:
        raise Invalid(errors)
    if text == event.summary:
        return
    type(event).objects.filter(pk=event.pk).update(summary=text)
    event.summary = text
    audit(actor=actor, action="emergency.summary.saved", obj=event)


def nominate(*, actor, event, compound, kind, nominee, citation) -> Nomination:
    """Nominate a person or team of ``compound`` for their work in the event:
    the compound's managers (from its after-action report) or the regulator."""
    by_regulator = access.can_command_event(actor, event)
    if not (by_regulator or access.can_write_after(actor, compound)):
        raise Forbidden
    _closed(event)
    errors = {}
    if kind not in NomineeKind.values:
        errors["kind"] = [gettext("请选择推荐类别。")]
    nominee = _text(
        errors,
        "nominee",
        nominee,
        required=True,
        limit=50,
        message=gettext("请填写被推荐人或队伍。"),
    )
    citation = _text(
        errors,
        "citation",
        citation,
        required=True,
        limit=CITATION_MAX,
        message=gettext("请写明推荐事迹。"),
    )
    if errors:
        raise Invalid(errors)
    report = AfterAction.objects.filter(event=event, compound=compound).first()
    with transaction.atomic():
        row = Nomination.objects.create(
            event=event,
            compound=compound,
            report=report,
            kind=kind,
            nominee=nominee,
            citation=citation,
            by_regulator=by_regulator and not access.can_write_after(actor, compound),
            nominated_by=actor,
        )
        audit(
            actor=actor,
            action="emergency.nomination.made",
            obj=row,
            compound=compound,
            detail={"event": event.pk, "kind": kind},
        )
        timeline(event, "nominated", compound=compound, nominee=nominee)
        ec = event.affected.filter(compound=compound).first()
        if row.by_regulator:  # the compound hears that its people were nominated
            people = [u for _r, u in _staff_of([compound])[compound.pk]]
        else:  # the commander hears of the compound's nomination
            people = [event.closed_by or event.opened_by]
        notify(
            recipients=[u for u in people if u != actor],
            title=lambda: gettext("应急先进推荐：%(nominee)s") % {"nominee": nominee},
            body=citation[:200],
            link=reverse("emergency_after", args=[ec.pk]) if ec else "",
            kind="emergency.nominated",
        )
    return row


def city_rollup(rows) -> dict:
    """The city summary's figures: the sum of the compounds' report figures,
    and how many reports stand at each status."""
    total = dict.fromkeys(FIGURES, 0)
    status = dict.fromkeys(AfterStatus.values, 0)
    missing = 0
    for r in rows:
        for k in FIGURES:
            total[k] += r["figures"].get(k, 0)
        if r["report"] is None:
            missing += 1
        else:
            status[r["report"].status] += 1
    return {"figures": total, "status": status, "missing": missing, "compounds": len(rows)}
