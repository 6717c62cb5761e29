"""Placing, changing and cancelling orders, for oneself or (代下单) for a
resident without a phone.

Stock moves only by conditional UPDATE on the offer row (``stock_left >= qty
AND accepting``), never read-modify-write; offers are always written in id
order so two purchases, or a purchase and the cutoff, cannot deadlock. One
live order per household and window is a partial unique index, which also
makes the per-household limit hold under concurrency: two racing first orders
of a household cannot both commit, and changes to an order lock its row."""

import json
import secrets
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from wanjia.core import intents, rows
from wanjia.core.audit import audit, insert_from
from wanjia.core.idempotency import Once

from ..access import orders_for_household_as
from ..errors import Conflict
from ..models import (
    Fulfilment,
    Market,
    Offer,
    Order,
    OrderLine,
    OrderStatus,
    OrderWindow,
    PickupSlot,
)
from .catalog import text

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud at the door
MAX_LINES = 50


@dataclass(frozen=True)
class LineIn:
    offer: int
    qty: int


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


def _clean_lines(
    window: OrderWindow, lines: list[LineIn], household
) -> tuple[dict[int, int], dict[int, Offer]]:
    """{offer id: qty} and the offers, or a field error naming the bad line.

    The offers are read through the market's served compounds, so one query
    also proves the household may buy here (asked again only when it fails)."""
    if not lines:
        raise ValidationError({"lines": _("请至少选择一件商品。")})
    if len(lines) > MAX_LINES:
        raise ValidationError({"lines": _("一个订单最多 %(n)s 种商品。") % {"n": MAX_LINES}})
    offers = _offers_for(window, [ln.offer for ln in lines], household.compound_id)
    if not offers and not window.market.compounds.filter(pk=household.compound_id).exists():
        raise ValidationError({"household": _("该住户所在小区不在本市场服务范围内。")})
    wanted: dict[int, int] = {}
    for n, line in enumerate(lines):
        offer = offers.get(line.offer)
        if offer is None:
            raise ValidationError({f"lines.{n}.offer": _("该商品不在本次订购中。")})
        if line.offer in wanted:
            raise ValidationError({f"lines.{n}.offer": _("同一商品请合并为一行。")})
        if not 1 <= line.qty <= offer.limit_per_household:
            raise ValidationError(
                {
                    f"lines.{n}.qty": _(
                        "「%(name)s」每户限购 %(limit)s%(unit)s，请填写 1 到 %(limit)s。"
                    )
                    % {
                        "name": offer.item.name,
                        "limit": offer.limit_per_household,
                        "unit": offer.item.unit,
                    }
                }
            )
        wanted[line.offer] = line.qty
    return wanted, offers


def _offers_for(window: OrderWindow, ids: list, compound_id: int) -> dict[int, Offer]:
    """The window's offers among ``ids``, with their items, when the window's
    market serves the compound (none otherwise). Plain SQL: the ORM compiled
    this four-table query on every order (bench.peak.profile)."""
    ids = sorted({i for i in ids if isinstance(i, int) and 0 < i < 2**63})
    if not ids:
        return {}
    # read with the window already (selectors.window_to_order_in, the API's
    # resident order) for this compound and these ids: nothing to ask again
    read = getattr(window, "offers_read", None)
    if read is not None and read[:2] == (compound_id, tuple(ids)):
        return dict(read[2])
    item = Offer._meta.get_field("item").related_model
    served = Market._meta.get_field("compounds").remote_field.through._meta.db_table
    found = rows.select(
        [(Offer, "o"), (item, "i")],
        f"FROM {Offer._meta.db_table} o JOIN {item._meta.db_table} i ON i.id = o.item_id"  # noqa: S608 (names are ours)
        f" WHERE o.window_id = %s AND o.id IN ({', '.join(['%s'] * len(ids))})"
        f" AND EXISTS (SELECT 1 FROM {served} s WHERE s.market_id = %s AND s.compound_id = %s)",
        [window.pk, *ids, window.market_id, compound_id],
    )
    for offer, its_item in found:
        offer.item = its_item
    return {offer.pk: offer for offer, _i in found}


def _require_accepting(window: OrderWindow) -> None:
    phase = window.phase()
    if phase == "scheduled":
        local = timezone.localtime(window.opens_at)
        raise Conflict(_("本次订购 %(at)s 开始，请稍后再来。") % {"at": f"{local:%m-%d %H:%M}"})
    if phase != "open":
        raise Conflict(_("本次订购已截单，不能再下单、修改或取消。"))


def _take_stock(offer: Offer, qty: int) -> None:
    taken = Offer.objects.filter(pk=offer.pk, accepting=True, stock_left__gte=qty).update(
        stock_left=F("stock_left") - qty
    )
    if taken:
        return
    now = Offer.objects.filter(pk=offer.pk).values("stock_left", "accepting").first()
    if not now["accepting"]:
        raise Conflict(_("本次订购已截单，不能再下单、修改或取消。"))
    raise Conflict(
        _("「%(name)s」库存不足：仅剩 %(left)s%(unit)s。")
        % {"name": offer.item.name, "left": now["stock_left"], "unit": offer.item.unit},
        field="lines",
    )


def _return_stock(offer_id: int, qty: int) -> None:
    given = Offer.objects.filter(pk=offer_id, accepting=True).update(
        stock_left=F("stock_left") + qty
    )
    if not given:
        raise Conflict(_("本次订购已截单，不能再下单、修改或取消。"))


# Kinds of emergency during which the market delivers only to the door: an
# epidemic's pick-up point is a crowd (the seed's contactless supply).
CONTACTLESS_KINDS = {"epidemic"}


def contactless_only(compound_id: int) -> list[dict]:
    """The open emergencies covering the compound that make the market deliver
    to the door only (asked through the kernel: the market does not import the
    emergency app; with no emergency app installed nothing is open)."""
    events = intents.ask("emergency.active_for", compound_id, default=[]) or []
    return [e for e in events if e.get("kind") in CONTACTLESS_KINDS]


def _clean_fulfilment(
    window: OrderWindow, fulfilment: str, slot: PickupSlot | None, compound_id: int
) -> PickupSlot | None:
    if fulfilment not in Fulfilment.values:
        raise ValidationError({"fulfilment": _("请选择送货到门或到点自提。")})
    if fulfilment == Fulfilment.PICKUP and contactless_only(compound_id):
        raise ValidationError({"fulfilment": _("疫情应急期间只提供无接触送货到门，暂停到点自提。")})
    if fulfilment == Fulfilment.DOOR:
        return None
    if slot is not None and slot.window_id != window.pk:
        raise ValidationError({"slot": _("该自提时段不属于本次订购。")})
    if slot is None and window.slots.exists():
        raise ValidationError({"slot": _("请选择自提时段。")})
    return slot


def _take_slot(slot: PickupSlot | None) -> None:
    if slot is None:
        return
    if not PickupSlot.objects.filter(pk=slot.pk, taken__lt=F("capacity")).update(
        taken=F("taken") + 1
    ):
        raise Conflict(_("自提时段 %(slot)s 已约满，请换一个时段。") % {"slot": slot}, field="slot")


def _release_slot(slot_id: int | None) -> None:
    if slot_id is not None:
        PickupSlot.objects.filter(pk=slot_id, taken__gt=0).update(taken=F("taken") - 1)


def order_place(
    *,
    actor,
    window: OrderWindow,
    household,
    lines: list[LineIn],
    fulfilment: str = Fulfilment.DOOR,
    slot: PickupSlot | None = None,
    note: str = "",
    defer_stock: Callable[[Callable[[], None]], None] | None = None,
) -> Order:
    """A household's order. ``window`` and ``household`` come from scoped
    selectors; the actor is a resident of the household, or staff ordering on
    a resident's behalf (代下单, audited as such).

    ``defer_stock``: a caller that writes more in the same transaction after
    this (the idempotency record) is handed the stock-taking to run as the
    transaction's last statements, so that the offer rows every order wants
    stay locked only until the commit. It must run it before the commit."""
    order, offers, wanted = _new_order(actor, window, household, lines, fulfilment, slot, note)
    slot = order.slot
    try:
        with transaction.atomic():
            _write_order(order, offers, wanted, actor=actor, household=household)
            _take_slot(slot)
            if defer_stock is None:
                _take_all_stock(offers, wanted)
    except IntegrityError:
        # The block is rolled back by now, so the database can be asked why
        # (inside it, PostgreSQL would refuse every statement after the error).
        if _has_live_order(window, household):
            raise Conflict(_("本户在本次订购中已有订单，请修改原订单。")) from None
        raise
    if defer_stock is not None:
        defer_stock(lambda: _take_all_stock(offers, wanted))
    return order


def _new_order(actor, window, household, lines, fulfilment, slot, note):
    """The unsaved order (its lines not yet written), the offers and
    {offer id: qty}, or the refusal."""
    how = orders_for_household_as(actor, household)
    _require_accepting(window)
    wanted, offers = _clean_lines(window, lines, household)
    slot = _clean_fulfilment(window, fulfilment, slot, household.compound_id)
    note = text(note, "note", label=_("备注"), max_len=200, required=False)
    total = sum((offers[o].price * q for o, q in wanted.items()), Decimal("0.00"))
    order = Order(
        window=window,
        household=household,
        compound_id=household.compound_id,
        building_id=household.building_id,
        code=_new_code(),
        fulfilment=fulfilment,
        slot=slot,
        placed_by=actor,
        on_behalf=how == "behalf",
        note=note,
        total=total,
    )
    return order, offers, wanted


def _lines(order: Order, offers: dict, wanted: dict[int, int]) -> list[OrderLine]:
    return [
        OrderLine(
            order=order,
            offer=offers[o],
            qty=q,
            qty_filled=q,
            unit_price=offers[o].price,
            amount=offers[o].price * q,
        )
        for o, q in sorted(wanted.items())
    ]


def order_place_once(
    *,
    actor,
    window: OrderWindow,
    household,
    lines: list[LineIn],
    once: Once,
    answer: Callable[[Order], dict],
    fulfilment: str = Fulfilment.DOOR,
    slot: PickupSlot | None = None,
    note: str = "",
) -> tuple[int, dict, bool]:
    """:func:`order_place` behind the caller's Idempotency-Key (``once``):
    ``(201, answer(order), replayed)``, the answer kept with the key.

    On PostgreSQL the order, its lines, the audit entry and the key with its
    answer are one statement (the answer is made before it, its id filled in
    by the database), then the pickup place and the stock, in offer order,
    and the commit: four round trips where the ORM's transaction took ten
    (bench/bench_market.py)."""
    if connection.vendor != "postgresql":
        stock = []

        def run():
            order = order_place(
                actor=actor,
                window=window,
                household=household,
                lines=lines,
                fulfilment=fulfilment,
                slot=slot,
                note=note,
                defer_stock=stock.append,
            )
            return 201, answer(order)

        return once.run(run, last=lambda: [take() for take in stock])
    order, offers, wanted = _new_order(actor, window, household, lines, fulfilment, slot, note)
    order.placed_lines = _lines(order, offers, wanted)
    order.pk = 0  # the answer's id, replaced in SQL and below
    body = answer(order)
    order.pk = None
    try:
        with transaction.atomic() if connection.in_atomic_block else nullcontext():
            pk = _place_in_one(
                order, body, once=once, actor=actor, household=household, wanted=wanted
            )
    except IntegrityError as exc:
        if (kept := once.kept()) is not None:
            return kept  # a concurrent retry of this request committed first
        constraint = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None)
        if constraint == STOCK_NOT_TAKEN:
            raise _refusal(offers, wanted, order.slot) from None
        if _has_live_order(window, household):
            raise Conflict(_("本户在本次订购中已有订单，请修改原订单。")) from None
        raise
    if pk is None:  # the key is kept: a retry
        return once.kept()
    order.pk = body["id"] = pk
    for line in order.placed_lines:
        line.order_id = pk
    return 201, body, False


# An order whose stock (or pickup place) could not all be taken is inserted
# with a negative total, so that this CHECK refuses it and the statement,
# with every stock it did take, is rolled back: one statement in autocommit
# stays all or nothing without a transaction around it.
STOCK_NOT_TAKEN = "market_order_total_nonneg"


def _place_in_one(order, body, *, once, actor, household, wanted) -> int | None:
    """The order in one PostgreSQL statement: each offer's stock in offer
    order (each UPDATE waits for the one before it, so two orders lock the
    offers they share in one order), the pickup place, then the order (unless
    the key is kept), its lines, its audit entry and the key with ``body`` as
    its answer. The order's id, or None when the key is kept; an
    IntegrityError on :data:`STOCK_NOT_TAKEN` when a place or stock ran out.

    bench/bench_market.py: an order took 13 statements and a transaction,
    the hot offer rows locked across the last round trips."""
    quote = connection.ops.quote_name
    unused, unused_params = once.unused_sql()
    parts, params, last = [], [], None
    for n, (offer_id, qty) in enumerate(sorted(wanted.items())):
        after = f"(SELECT count(*) FROM {last}) = 1" if last else unused  # noqa: S608
        parts.append(
            f"s{n} AS (UPDATE {quote(Offer._meta.db_table)} SET stock_left = stock_left - %s"  # noqa: S608 (ours)
            f" WHERE id = %s AND accepting AND stock_left >= %s AND {after} RETURNING id)"
        )
        params += [qty, offer_id, qty, *([] if last else unused_params)]
        last = f"s{n}"
    if order.slot_id is not None:
        parts.append(
            f"p AS (UPDATE {quote(PickupSlot._meta.db_table)} SET taken = taken + 1"  # noqa: S608 (ours)
            f" WHERE id = %s AND taken < capacity AND (SELECT count(*) FROM {last}) = 1"
            " RETURNING id)"
        )
        params.append(order.slot_id)
        last = "p"
    total = Order._meta.get_field("total").get_db_prep_save(order.total, connection)
    order_sql, order_params = rows.insert_from(
        order,
        "(SELECT 1) AS one",
        total=(f"CASE WHEN (SELECT count(*) FROM {last}) = 1 THEN %s ELSE -1 END", [total]),  # noqa: S608
    )
    parts.append(f"o AS ({order_sql} WHERE {unused} RETURNING id)")
    params += [*order_params, *unused_params]
    for n, line in enumerate(order.placed_lines):
        line_sql, line_params = rows.insert_from(line, "o", order_id="o.id")
        parts.append(f"l{n} AS ({line_sql})")
        params += line_params
    audit_sql, audit_params = insert_from(
        "o",
        "o.id",
        actor=actor,
        action="market.order.placed_on_behalf" if order.on_behalf else "market.order.placed",
        object_type="order",
        compound=household.compound,
        detail=_detail(order, wanted),
    )
    key_sql, key_params = once.insert_from(
        "o", 201, "jsonb_set(%s::jsonb, '{id}', to_jsonb(o.id))", (json.dumps(body),)
    )
    parts += [f"a AS ({audit_sql})", f"k AS ({key_sql})"]
    params += [*audit_params, *key_params]
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {', '.join(parts)} SELECT id FROM o", params)  # noqa: S608 (ours)
        found = cursor.fetchone()
    return found[0] if found else None


def _refusal(offers: dict, wanted: dict[int, int], slot) -> Conflict:
    """Why the stock or the pickup place could not be taken, as it stands now."""
    state = {
        row["pk"]: row
        for row in Offer.objects.filter(pk__in=list(wanted)).values("pk", "stock_left", "accepting")
    }
    for offer_id in sorted(wanted):
        now = state.get(offer_id)
        if now is None or not now["accepting"]:
            return Conflict(_("本次订购已截单，不能再下单、修改或取消。"))
        if now["stock_left"] < wanted[offer_id]:
            offer = offers[offer_id]
            return Conflict(
                _("「%(name)s」库存不足：仅剩 %(left)s%(unit)s。")
                % {"name": offer.item.name, "left": now["stock_left"], "unit": offer.item.unit},
                field="lines",
            )
    if slot is not None:
        return Conflict(
            _("自提时段 %(slot)s 已约满，请换一个时段。") % {"slot": slot}, field="slot"
        )
    return Conflict(_("刚才有人同时下单，请再试一次。"))


def _take_all_stock(offers: dict, wanted: dict[int, int]) -> None:
    """Stock last, in offer order: the hot offer rows stay locked only from
    here to commit, and two orders lock the ones they share in one order."""
    for offer_id in sorted(wanted):
        _take_stock(offers[offer_id], wanted[offer_id])


def _write_order(order: Order, offers: dict, wanted: dict[int, int], *, actor, household) -> None:
    """Insert the order, its lines and the audit entry (the stock is taken
    after, by the caller: :func:`_take_all_stock`).

    A second live order of the household fails at the first INSERT (a partial
    unique index); ``order_place`` turns that IntegrityError into a Conflict
    outside the transaction block instead of wrapping the INSERT in a savepoint
    of its own (two statements fewer on every order)."""
    order.save()
    order.placed_lines = OrderLine.objects.bulk_create(_lines(order, offers, wanted))
    audit(
        actor=actor,
        action="market.order.placed_on_behalf" if order.on_behalf else "market.order.placed",
        obj=order,
        compound=household.compound,
        detail=_detail(order, wanted),
    )


def _has_live_order(window: OrderWindow, household) -> bool:
    return Order.objects.filter(
        window=window, household=household, status=OrderStatus.PLACED
    ).exists()


def _detail(order: Order, wanted: dict[int, int]) -> dict:
    return {
        "code": order.code,
        "household": order.household.code,
        "window": order.window_id,
        "lines": {str(k): v for k, v in wanted.items()},
        "total": str(order.total),
        "fulfilment": order.fulfilment,
    }


def _lock_live(order: Order) -> Order:
    locked = (
        Order.objects.select_for_update().select_related("window", "household").get(pk=order.pk)
    )
    if locked.status != OrderStatus.PLACED:
        raise Conflict(_("订单已取消。"))
    return locked


def order_change(
    *,
    actor,
    order: Order,
    lines: list[LineIn],
    fulfilment: str = Fulfilment.DOOR,
    slot: PickupSlot | None = None,
    note: str = "",
) -> Order:
    """Replace the order's lines (and how it is fulfilled) until cutoff; only
    the difference moves stock."""
    orders_for_household_as(actor, order.household)
    with transaction.atomic():
        order = _lock_live(order)
        window = order.window
        _require_accepting(window)
        wanted, offers = _clean_lines(window, lines, order.household)
        slot = _clean_fulfilment(window, fulfilment, slot, order.household.compound_id)
        note = text(note, "note", label=_("备注"), max_len=200, required=False)
        old = {line.offer_id: line for line in order.lines.all()}
        if {o: line.qty for o, line in old.items()} == wanted and (
            fulfilment,
            slot.pk if slot else None,
            note,
        ) == (order.fulfilment, order.slot_id, order.note):
            return order  # saved unchanged: nothing moves, nothing is written
        for offer_id in sorted(set(old) | set(wanted)):
            delta = wanted.get(offer_id, 0) - (old[offer_id].qty if offer_id in old else 0)
            if delta > 0:
                _take_stock(offers[offer_id], delta)
            elif delta < 0:
                _return_stock(offer_id, -delta)
        if (slot.pk if slot else None) != order.slot_id:
            _release_slot(order.slot_id)
            _take_slot(slot)
        _rewrite_lines(order, old, wanted, offers)
        order.fulfilment, order.slot, order.note = fulfilment, slot, note
        order.changed_at = timezone.now()
        order.total = sum((offers[o].price * q for o, q in wanted.items()), Decimal("0.00"))
        order.save(update_fields=["fulfilment", "slot", "note", "changed_at", "total"])
        audit(
            actor=actor,
            action="market.order.changed",
            obj=order,
            compound=order.household.compound,
            detail={**_detail(order, wanted), "before": {str(k): v.qty for k, v in old.items()}},
        )
    return order


def _rewrite_lines(order: Order, old: dict, wanted: dict[int, int], offers: dict) -> None:
    OrderLine.objects.filter(order=order).exclude(offer_id__in=list(wanted)).delete()
    for offer_id, qty in wanted.items():
        price = offers[offer_id].price
        if offer_id in old:
            OrderLine.objects.filter(pk=old[offer_id].pk).update(
                qty=qty, qty_filled=qty, amount=price * qty
            )
        else:
            OrderLine.objects.create(
                order=order,
                offer_id=offer_id,
                qty=qty,
                qty_filled=qty,
                unit_price=price,
                amount=price * qty,
            )


def order_cancel(*, actor, order: Order) -> Order:
    """Cancel until cutoff; the stock goes back on sale at once."""
    orders_for_household_as(actor, order.household)
    with transaction.atomic():
        order = _lock_live(order)
        _require_accepting(order.window)
        for line in sorted(order.lines.all(), key=lambda ln: ln.offer_id):
            _return_stock(line.offer_id, line.qty)
        _release_slot(order.slot_id)
        order.status = OrderStatus.CANCELLED
        order.cancelled_at = timezone.now()
        order.save(update_fields=["status", "cancelled_at"])
        audit(
            actor=actor,
            action="market.order.cancelled",
            obj=order,
            compound=order.household.compound,
            detail={"code": order.code, "total": str(order.total)},
        )
    return order
