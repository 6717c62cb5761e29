"""Catalog, costs, reference prices and the fair-price rule (平价格)."""

from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from openpyxl import Workbook

from wanjia.core.models import AuditLog
from wanjia.market import services
from wanjia.market.models import OfferSource, ReferencePrice
from wanjia.market.testing import make_market

pytestmark = pytest.mark.django_db


@pytest.fixture
def mk(world):
    return make_market(manager=world.manager_a, compound=world.a)


def draft(mk, manager):
    now = timezone.now()
    return services.window_create(
        actor=manager,
        market=mk.market,
        title="明早",
        opens_at=now,
        closes_at=now + timedelta(hours=4),
        delivery_date=timezone.localdate() + timedelta(days=1),
    )


def test_price_above_cost_plus_markup_is_refused_with_the_numbers(world, mk):
    window = draft(mk, world.manager_a)
    cabbage = mk.items["大白菜"]  # cost 2.00, reference 2.80, markup 3% -> cap 2.06
    with pytest.raises(ValidationError) as exc:
        services.offer_save(
            actor=world.manager_a, window=window, item=cabbage, price="2.10", stock=10
        )
    message = exc.value.message_dict["price"][0]
    assert "¥2.10" in message and "¥2.00" in message and "3%" in message and "¥2.06" in message
    assert not window.offers.exists()


def test_price_above_the_reference_is_refused_even_when_cost_allows(world, mk):
    services.market_update(
        actor=world.manager_a,
        market=mk.market,
        markup_cap_pct="50",
        spare_pct="5",
        shortage_rule="pro_rata",
        pickup_point="",
    )
    window = draft(mk, world.manager_a)
    with pytest.raises(ValidationError) as exc:
        services.offer_save(
            actor=world.manager_a, window=window, item=mk.items["大白菜"], price="2.90", stock=10
        )
    assert "参考价 ¥2.80" in exc.value.message_dict["price"][0]


def test_fair_price_passes_and_keeps_cost_reference_and_sources(world, mk):
    window = draft(mk, world.manager_a)
    offer = services.offer_save(
        actor=world.manager_a, window=window, item=mk.items["大白菜"], price="2.06", stock=10
    )
    assert (offer.unit_cost, offer.reference_price) == (Decimal("2.00"), Decimal("2.80"))
    assert offer.stock_left == 10
    assert AuditLog.objects.filter(action="market.offer.created", object_id=str(offer.pk)).exists()


def test_bundle_cost_and_reference_are_sums_of_components(world, mk):
    pricing = services.pricing_for(mk.items["家常蔬菜包"], on_date=timezone.localdate())
    # 大白菜 2.00 + 土豆 3.00 + 西红柿 3.50 + 青椒 0.5 x 3.20
    assert pricing.cost == Decimal("10.10")
    assert pricing.reference == Decimal("2.80") + Decimal("4.00") + Decimal("4.60") + Decimal(
        "2.10"
    )
    window = draft(mk, world.manager_a)
    offer = services.offer_save(
        actor=world.manager_a,
        window=window,
        item=mk.items["家常蔬菜包"],
        price=pricing.cap(Decimal(3)),
        stock=5,
    )
    assert OfferSource.objects.filter(offer=offer).count() == 4


def test_a_stale_or_missing_reference_blocks_pricing(world, mk):
    window = services.window_create(
        actor=world.manager_a,
        market=mk.market,
        title="下周",
        opens_at=timezone.now(),
        closes_at=timezone.now() + timedelta(hours=2),
        delivery_date=timezone.localdate() + timedelta(days=10),
    )
    with pytest.raises(ValidationError) as exc:
        services.offer_save(
            actor=world.manager_a, window=window, item=mk.items["大白菜"], price="1.00", stock=1
        )
    assert "7 天内的市场参考价" in exc.value.message_dict["item"][0]


def test_an_item_without_a_supplier_cost_cannot_be_priced(world, mk):
    lonely = services.item_save(actor=world.manager_a, market=mk.market, name="香菜")
    services.reference_price_set(
        actor=world.manager_a, item=lonely, on_date=timezone.localdate(), price="1.00"
    )
    with pytest.raises(ValidationError) as exc:
        services.pricing_for(lonely, on_date=timezone.localdate())
    assert "供应商进价" in exc.value.message_dict["item"][0]


@pytest.mark.parametrize("bad", ["", "abc", "-1", "0", "1.234", "NaN"])
def test_bad_money_is_a_field_error(world, mk, bad):
    with pytest.raises(ValidationError) as exc:
        services.reference_price_set(
            actor=world.manager_a, item=mk.items["土豆"], on_date=timezone.localdate(), price=bad
        )
    assert "price" in exc.value.message_dict


def test_only_managers_of_the_market_change_it(world, mk):
    for user in (world.staff_a, world.resident_a, world.outsider_b):
        with pytest.raises(PermissionDenied):
            services.supplier_save(actor=user, market=mk.market, name="偷偷加的")
    assert not mk.market.suppliers.filter(name="偷偷加的").exists()


def _sheet(rows) -> BytesIO:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = BytesIO()
    book.save(out)
    out.seek(0)
    return out


def test_reference_import_writes_every_row(world, mk):
    day = timezone.localdate() + timedelta(days=1)
    upload = _sheet(
        [
            ["商品", "日期", "参考价", "来源"],
            ["大白菜", day.isoformat(), 2.7, "菜市场"],
            ["土豆", day, "3.9", ""],
        ]
    )
    assert (
        services.reference_prices_import(actor=world.manager_a, market=mk.market, upload=upload)
        == 2
    )
    assert ReferencePrice.objects.get(item=mk.items["土豆"], on_date=day).price == Decimal("3.90")


def test_reference_import_names_the_bad_row_and_writes_nothing(world, mk):
    day = timezone.localdate() + timedelta(days=1)
    upload = _sheet(
        [
            ["商品", "日期", "参考价"],
            ["大白菜", day.isoformat(), 2.7],
            ["土豆", day.isoformat(), "贵"],
        ]
    )
    before = ReferencePrice.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.reference_prices_import(actor=world.manager_a, market=mk.market, upload=upload)
    assert "第 3 行「参考价」" in exc.value.message_dict["file"][0]
    assert ReferencePrice.objects.count() == before


def test_reference_import_refuses_an_unknown_item_and_a_non_excel_file(world, mk):
    upload = _sheet([["商品", "日期", "参考价"], ["榴莲", "2024-06-01", 30]])
    with pytest.raises(ValidationError) as exc:
        services.reference_prices_import(actor=world.manager_a, market=mk.market, upload=upload)
    assert "第 2 行「商品」" in exc.value.message_dict["file"][0]
    with pytest.raises(ValidationError) as exc:
        services.reference_prices_import(
            actor=world.manager_a, market=mk.market, upload=BytesIO(b"not excel")
        )
    assert ".xlsx" in exc.value.message_dict["file"][0]


def test_reference_import_refuses_a_zip_bomb(world, mk):
    import zipfile

    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            for _ in range(64):
                f.write(b"0" * (1024 * 1024))
    out.seek(0)
    with pytest.raises(ValidationError) as exc:
        services.reference_prices_import(actor=world.manager_a, market=mk.market, upload=out)
    assert "压缩炸弹" in exc.value.message_dict["file"][0]
