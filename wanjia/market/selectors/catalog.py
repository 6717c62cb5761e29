"""Reads of a market's catalog: items, bundles, suppliers and the reference prices the
fair-price rule reads."""


def addable_items(market, offers):
    """The market's active items not on offer yet in this window."""
    return market.items.filter(active=True).exclude(pk__in=[o.item_id for o in offers])


def market_item(market, pk):
    """One of the market's items, or None."""
    return market.items.filter(pk=pk).first()


def market_suppliers(market):
    """The market's suppliers with the items each supplies."""
    return market.suppliers.prefetch_related("items__item")


def plain_items(market):
    """The market's items that are not bundles."""
    return market.items.filter(is_bundle=False)


def plain_item(market, pk):
    return plain_items(market).filter(pk=pk).first()


def bundles(market):
    return market.items.filter(is_bundle=True)


def market_supplier(market, pk):
    """One of the market's suppliers, or None (a new one)."""
    return market.suppliers.filter(pk=pk).first()


def catalog_items(market):
    """The market's catalog with bundle components and supplier costs."""
    return market.items.prefetch_related("components__item", "supplier_items__supplier")


def reference_rows(market, *, today, max_age) -> list[dict]:
    """Each plain item with its latest reference price, up to four before it, and
    whether the latest is older than ``max_age``."""
    rows = []
    for item in plain_items(market).prefetch_related("references"):
        refs = list(item.references.all()[:5])
        latest = refs[0] if refs else None
        rows.append(
            {
                "item": item,
                "latest": latest,
                "history": refs[1:],
                "stale": latest is None or today - latest.on_date > max_age,
            }
        )
    return rows
