"""Every scoped read of emergency command. A user sees an event when it
covers a compound in their scope (a compound's staff, a district officer) or
lies under their command region; inside it, only the compounds they cover."""

from django.db.models import Count, Q
from django.utils import timezone

from wanjia.core.scoping import get_or_404, scope_q

from . import access
from .models import (
    AfterAction,
    Answer,
    ChecklistItem,
    DailyReport,
    Event,
    EventCompound,
    Group,
    Nomination,
    RollCallEntry,
    Status,
    TimelineEntry,
)

ACTIVE = (Status.OPENING, Status.OPEN)


def affected_visible(user):
    return EventCompound.objects.filter(scope_q(user, compound="compound_id"))


def events_visible(user, *, status: str | None = None):
    q = Q(pk__in=affected_visible(user).values("event_id"))
    for region in access.command_regions(user):
        q |= Q(owner_region__path__startswith=region.path)
    if getattr(user, "is_superuser", False):
        q = Q()
    qs = Event.objects.filter(q)
    if status == "open":
        qs = qs.filter(status__in=ACTIVE)
    elif status == "closed":
        qs = qs.filter(status=Status.CLOSED)
    return qs.order_by("-starts_at", "-id")


def event_or_404(user, pk) -> Event:
    return get_or_404(events_visible(user).select_related("owner_region", "job"), pk=pk)


def affected_or_404(user, pk) -> EventCompound:
    return get_or_404(affected_visible(user).select_related("event", "compound"), pk=pk)


def item_or_404(user, pk) -> ChecklistItem:
    return get_or_404(
        ChecklistItem.objects.filter(scope_q(user, compound="compound_id")).select_related(
            "event", "compound"
        ),
        pk=pk,
    )


def roll_entry_or_404(user, pk) -> RollCallEntry:
    q = scope_q(user, compound="compound_id") | Q(user_id=user.pk, group=Group.RESPONDER)
    return get_or_404(RollCallEntry.objects.filter(q).select_related("event", "compound"), pk=pk)


def my_roll_entries(user):
    return RollCallEntry.objects.filter(
        user_id=user.pk, group=Group.RESPONDER, event__status__in=ACTIVE
    ).select_related("event", "compound")


def affected_of(user, event):
    """The event's compounds ``user`` sees (all of them for its commander)."""
    qs = EventCompound.objects.filter(event=event).select_related("compound", "compound__community")
    if access.can_command_event(user, event):
        return qs.order_by("compound__name", "pk")
    return qs.filter(scope_q(user, compound="compound_id")).order_by("compound__name", "pk")


def status_rows(user, event, *, day=None) -> list[dict]:
    """Per visible compound: checklist done/total, today's report, roll call."""
    day = day or timezone.localdate()
    rows = list(affected_of(user, event))
    ids = [ec.compound_id for ec in rows]
    items = {
        r["compound_id"]: r
        for r in ChecklistItem.objects.filter(event=event, compound_id__in=ids)
        .values("compound_id")
        .annotate(total=Count("id"), done=Count("id", filter=Q(done_at__isnull=False)))
    }
    reports = {
        r.compound_id: r
        for r in DailyReport.objects.filter(event=event, day=day, compound_id__in=ids)
    }
    roll = {}
    for r in (
        RollCallEntry.objects.filter(event=event, compound_id__in=ids, group=Group.VULNERABLE)
        .values("compound_id", "answer")
        .annotate(n=Count("id"))
    ):
        roll.setdefault(r["compound_id"], dict.fromkeys(Answer.values, 0))[r["answer"]] = r["n"]
    out = []
    for ec in rows:
        c = items.get(ec.compound_id, {"total": 0, "done": 0})
        out.append(
            {
                "affected": ec,
                "id": ec.compound_id,
                "name": ec.compound.name,
                "ready": ec.ready_at is not None,
                "checklist_done": c["done"],
                "checklist_total": c["total"],
                "report": reports.get(ec.compound_id),
                "report_today": ec.compound_id in reports,
                "roll_call": roll.get(ec.compound_id, dict.fromkeys(Answer.values, 0)),
            }
        )
    return out


def colour(row, *, overdue: bool) -> str:
    """done (green): checklist complete and today's report in; overdue (red):
    no report after the deadline; due (amber) otherwise."""
    if (
        row["report_today"]
        and row["checklist_total"]
        and (row["checklist_done"] == row["checklist_total"])
    ):
        return "done"
    if overdue and not row["report_today"]:
        return "overdue"
    return "due"


def rollup(rows) -> list[dict]:
    """Reports in / compounds per street and district (and the city total)."""
    groups = {}
    for row in rows:
        street = row["affected"].compound.community.parent_id
        groups.setdefault(street, {"compounds": 0, "reported": 0, "moved": 0, "on_duty": 0})
        g = groups[street]
        g["compounds"] += 1
        if row["report"]:
            g["reported"] += 1
            g["moved"] += row["report"].people_moved
            g["on_duty"] += row["report"].on_duty
    from wanjia.core.models import Region

    regions = Region.objects.in_bulk([k for k in groups if k])
    out = []
    for key, g in groups.items():
        region = regions.get(key)
        out.append({"region": region, **g})
    out.sort(key=lambda r: r["region"].path if r["region"] else "")
    return out


def responder_counts(user, event) -> dict:
    ids = [ec.compound_id for ec in affected_of(user, event)]
    qs = RollCallEntry.objects.filter(event=event, compound_id__in=ids, group=Group.RESPONDER)
    return qs.aggregate(
        total=Count("id"),
        safe=Count("id", filter=Q(answer=Answer.SAFE)),
        needs_help=Count("id", filter=Q(answer=Answer.NEEDS_HELP)),
        unknown=Count("id", filter=Q(answer=Answer.UNKNOWN)),
        can_serve=Count("id", filter=Q(can_serve=True)),
    )


def vulnerable_of(event, compound_id):
    return RollCallEntry.objects.filter(
        event=event, compound_id=compound_id, group=Group.VULNERABLE
    ).order_by("answer", "name")


def timeline_of(user, event, limit=50):
    qs = TimelineEntry.objects.filter(event=event).select_related("compound")
    if not access.can_command_event(user, event):
        qs = qs.filter(Q(compound__isnull=True) | scope_q(user, compound="compound_id"))
    return list(qs[:limit])


def items_of(event, compound_id):
    return ChecklistItem.objects.filter(event=event, compound_id=compound_id).select_related(
        "owner", "done_by"
    )


def report_today(event, compound_id, day=None):
    day = day or timezone.localdate()
    return DailyReport.objects.filter(event=event, compound_id=compound_id, day=day).first()


def reports_of(event, compound_id):
    return DailyReport.objects.filter(event=event, compound_id=compound_id).order_by("-day")


def active_affected(user):
    """The compounds of open events ``user`` responds at (their phone list)."""
    return (
        affected_visible(user)
        .filter(event__status__in=ACTIVE)
        .select_related("event", "compound")
        .order_by("-event__starts_at", "compound__name")
    )


# ---- figures for the regulator ---------------------------------------------


def reports_sent(compound_ids, start, end) -> int:
    return DailyReport.objects.filter(
        compound_id__in=compound_ids, day__gte=start, day__lte=end
    ).count()


def reports_late(compound_ids, start, end) -> int:
    return DailyReport.objects.filter(
        compound_id__in=compound_ids, day__gte=start, day__lte=end, late=True
    ).count()


def items_done(compound_ids, start, end) -> int:
    return ChecklistItem.objects.filter(
        compound_id__in=compound_ids,
        done_at__date__gte=start,
        done_at__date__lte=end,
    ).count()


def banners_for_compounds(compound_ids) -> list[Event]:
    return list(
        Event.objects.filter(status__in=ACTIVE, affected__compound_id__in=compound_ids)
        .distinct()
        .order_by("grade", "pk")[:3]
    )


# ---- directives ---------------------------------------------------------------


def directives_of(user, event, *, now=None) -> list:
    """The event's directives with receipts counted over the compounds
    ``user`` sees, and the overdue ones."""
    from .models import Directive, Receipt

    now = now or timezone.now()
    ids = [ec.compound_id for ec in affected_of(user, event)]
    rows = list(Directive.objects.filter(event=event))
    counts = {
        r["directive_id"]: r
        for r in Receipt.objects.filter(directive__event=event, compound_id__in=ids)
        .values("directive_id")
        .annotate(
            total=Count("id"),
            read=Count("id", filter=Q(read_at__isnull=False)),
            acked=Count("id", filter=Q(acked_at__isnull=False)),
        )
    }
    for d in rows:
        c = counts.get(d.pk, {"total": 0, "read": 0, "acked": 0})
        d.total, d.read, d.acked = c["total"], c["read"], c["acked"]
        d.overdue = now > d.ack_by and d.acked < d.total
    return rows


def overdue_receipts(user, event, *, now=None):
    from .models import Receipt

    now = now or timezone.now()
    ids = [ec.compound_id for ec in affected_of(user, event)]
    return (
        Receipt.objects.filter(
            directive__event=event,
            compound_id__in=ids,
            acked_at__isnull=True,
            directive__ack_by__lt=now,
        )
        .select_related("compound", "directive")
        .order_by("directive__ack_by", "compound__name")
    )


def receipts_of(event, compound_id):
    from .models import Receipt

    return (
        Receipt.objects.filter(directive__event=event, compound_id=compound_id)
        .select_related("directive")
        .order_by("-directive__issued_at")
    )


def directive_or_404(user, pk):
    """A directive of an event ``user`` sees (a compound it covers, or its command)."""
    from .models import Directive

    return get_or_404(Directive.objects.filter(event__in=events_visible(user).values("pk")), pk=pk)


def receipt_or_404(user, pk):
    from .models import Receipt

    return get_or_404(
        Receipt.objects.filter(scope_q(user, compound="compound_id")).select_related(
            "directive", "directive__event", "compound"
        ),
        pk=pk,
    )


# ---- materials ------------------------------------------------------------------


def materials_of(event, compound_id):
    from .models import MaterialRequest

    return MaterialRequest.objects.filter(event=event, compound_id=compound_id)


def open_materials(user, event):
    """Requests not yet delivered in the compounds ``user`` sees (the board)."""
    from .models import MaterialRequest, Stage

    ids = [ec.compound_id for ec in affected_of(user, event)]
    return (
        MaterialRequest.objects.filter(event=event, compound_id__in=ids)
        .exclude(stage=Stage.DELIVERED)
        .select_related("compound")
        .order_by("requested_at", "pk")
    )


def shortages(user, event) -> list[dict]:
    """Per supply: asked for and not yet delivered, by stage, beside the
    standing stock of the compounds and their companies' stores."""
    from django.db.models import Sum

    from .models import Stage, Supply

    rows = {}
    for r in open_materials(user, event).values("supply", "stage").annotate(q=Sum("quantity")):
        rows.setdefault(r["supply"], dict.fromkeys(Stage.values, 0))[r["stage"]] = r["q"]
    stock = stock_in_area(user, event)
    gap = _gaps(open_materials(user, event))
    labels = dict(Supply.choices)
    return [
        {
            "supply": labels.get(k, k),
            **v,
            **stock.get(k, {"compounds": 0, "stores": 0}),
            "gap": gap.get(k, 0),
            "short": gap.get(k, 0) > 0,
        }
        for k, v in sorted(rows.items())
    ]


def _gaps(requests) -> dict[str, int]:
    """Per supply, what the companies' stores cannot cover of their own
    compounds' open needs: one company's surplus does not fill another's gap."""
    from django.db.models import Sum

    from .models import Stage, Stock

    needs = {
        (r["compound__company_id"], r["supply"]): r["q"]
        for r in requests.filter(stage=Stage.NEED)
        .values("compound__company_id", "supply")
        .annotate(q=Sum("quantity"))
    }
    have = {
        (r["company_id"], r["supply"]): r["quantity"]
        for r in Stock.objects.filter(
            company_id__in={c for c, _s in needs if c}, compound__isnull=True
        ).values("company_id", "supply", "quantity")
    }
    out: dict[str, int] = {}
    for (company, supply), need in needs.items():
        out[supply] = out.get(supply, 0) + max(0, need - have.get((company, supply), 0))
    return out


def with_store(rows, compound):
    """Each request with ``store``: how much of its supply the compound's
    company keeps (what marking it available would take from)."""
    from .models import Stock

    have = dict(
        Stock.objects.filter(company_id=compound.company_id, compound__isnull=True).values_list(
            "supply", "quantity"
        )
    )
    for row in rows:
        row.store = have.get(row.supply, 0)
    return rows


def stock_sheet(*, company=None, compound=None) -> list[dict]:
    """Every supply with the owner's quantity (0 when none is kept)."""
    from .models import Stock, Supply

    owner = {"company": company} if company else {"compound": compound}
    have = dict(Stock.objects.filter(**owner).values_list("supply", "quantity"))
    return [{"supply": k, "label": v, "quantity": have.get(k, 0)} for k, v in Supply.choices]


def stock_in_area(user, event) -> dict[str, dict]:
    """Per supply: what the event's compounds keep and what their companies'
    stores hold (the compounds ``user`` sees) — beside the open requests on
    the board, where things are short shows at a glance."""
    from django.db.models import Sum

    from .models import Stock

    affected = affected_of(user, event)
    ids = [ec.compound_id for ec in affected]
    companies = {ec.compound.company_id for ec in affected if ec.compound.company_id}
    out: dict[str, dict] = {}
    for r in Stock.objects.filter(compound_id__in=ids).values("supply").annotate(q=Sum("quantity")):
        out.setdefault(r["supply"], {"compounds": 0, "stores": 0})["compounds"] = r["q"]
    for r in (
        Stock.objects.filter(company_id__in=companies, compound__isnull=True)
        .values("supply")
        .annotate(q=Sum("quantity"))
    ):
        out.setdefault(r["supply"], {"compounds": 0, "stores": 0})["stores"] = r["q"]
    return out


def material_or_404(user, pk):
    from .models import MaterialRequest

    return get_or_404(
        MaterialRequest.objects.filter(scope_q(user, compound="compound_id")).select_related(
            "event", "event__owner_region", "compound"
        ),
        pk=pk,
    )


def reports_on_time(compound_ids, start, end) -> float | None:
    """Of the daily reports of [start, end], the share sent by the day's deadline."""
    qs = DailyReport.objects.filter(compound_id__in=compound_ids, day__gte=start, day__lte=end)
    counts = qs.aggregate(n=Count("id"), late=Count("id", filter=Q(late=True)))
    return round((counts["n"] - counts["late"]) / counts["n"], 4) if counts["n"] else None


def after_or_404(user, pk) -> AfterAction:
    """A compound's after-action report: its own staff, or the event's commander."""
    q = scope_q(user, compound="compound_id")
    for region in access.command_regions(user):
        q |= Q(event__owner_region__path__startswith=region.path)
    return get_or_404(
        AfterAction.objects.filter(q).select_related("event", "compound", "event__owner_region"),
        pk=pk,
    )


def after_rows(user, event) -> list[dict]:
    """Per compound of the event the user sees: its report (or None), its
    figures (the report's, or live from the records while none is written)
    and its nominations."""
    from .services.after import figures_of

    affected = list(affected_of(user, event))
    reports = {
        r.compound_id: r
        for r in AfterAction.objects.filter(
            event=event, compound_id__in=[ec.compound_id for ec in affected]
        )
    }
    live = figures_of(event, [ec.compound_id for ec in affected if ec.compound_id not in reports])
    noms = {}
    for n in Nomination.objects.filter(
        event=event, compound_id__in=[ec.compound_id for ec in affected]
    ):
        noms.setdefault(n.compound_id, []).append(n)
    return [
        {
            "affected": ec,
            "compound": ec.compound,
            "report": reports.get(ec.compound_id),
            "figures": reports[ec.compound_id].figures
            if ec.compound_id in reports
            else live[ec.compound_id],
            "nominations": noms.get(ec.compound_id, []),
        }
        for ec in affected
    ]


def nominations_of(event, compound_id):
    return Nomination.objects.filter(event=event, compound_id=compound_id).select_related(
        "nominated_by"
    )
