"""Read-only admin views of the market, for inspection by superusers. Every
write goes through the services (and the console pages), which check the
rules and audit; the admin does not offer a way around them."""

from django.contrib import admin

from .models import (
    CatalogItem,
    Market,
    Offer,
    Order,
    OrderLine,
    OrderWindow,
    Payment,
    PurchaseLine,
    PurchaseOrder,
    ReferencePrice,
    Supplier,
)


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    can_delete = False
    readonly_fields = ["offer", "qty", "qty_filled", "unit_price", "amount"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Market)
class MarketAdmin(ReadOnly):
    list_display = ["name", "compound", "markup_cap_pct", "spare_pct", "shortage_rule", "active"]


@admin.register(OrderWindow)
class WindowAdmin(ReadOnly):
    list_display = ["title", "market", "opens_at", "closes_at", "delivery_date", "status"]
    list_filter = ["status", "market"]


@admin.register(Order)
class OrderAdmin(ReadOnly):
    list_display = ["code", "window", "household", "status", "total", "on_behalf", "placed_at"]
    list_filter = ["status", "on_behalf"]
    search_fields = ["code", "household__code"]
    inlines = [LineInline]


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(ReadOnly):
    list_display = ["number", "window", "supplier", "status", "total"]


for model in (Supplier, CatalogItem, ReferencePrice, Offer, Payment, PurchaseLine):
    admin.site.register(model, ReadOnly)
