from django.contrib import admin

from .models import Courier, Delivery, DeliveryPlan, Route


@admin.register(Courier)
class CourierAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "market",
        "mode",
        "speed_kmh",
        "capacity",
        "shift_start",
        "shift_end",
        "active",
    )
    list_filter = ("mode", "active", "is_volunteer")
    search_fields = ("name", "phone")
    raw_id_fields = ("user", "staff", "market")


@admin.register(DeliveryPlan)
class DeliveryPlanAdmin(admin.ModelAdmin):
    """Plans are made by the planner job; the admin only reads them."""

    list_display = ("window", "status", "current", "bags", "served_bags", "finish_at", "created_at")
    list_filter = ("status", "current")
    readonly_fields = [f.name for f in DeliveryPlan._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Route)
class RouteAdmin(admin.ModelAdmin):
    list_display = ("plan", "courier", "trips", "distance_m", "start_at", "end_at")
    raw_id_fields = ("plan", "courier")


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("order", "plan", "status", "delivered_at", "method", "fail_reason")
    list_filter = ("status", "method")
    raw_id_fields = ("plan", "stop", "order", "delivered_by", "compound")
    search_fields = ("order__code",)
