"""Django admin for disputes (superusers only). Cases, sessions and sweeps are
written by the services (they keep levels, deadlines and the timeline in
step), so the admin shows them read-only; the per-compound time limits may be
repaired here, audited."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from wanjia.core.admin import AuditedAdmin, ReadOnlyAdmin

from . import services
from .models import Case, CaseEvent, CaseParty, Policy, Session, Sweep


class PartyInline(admin.TabularInline):
    model = CaseParty
    extra = 0
    can_delete = False
    readonly_fields = ("label", "household", "company", "satisfaction", "comment", "rated_at")

    def has_add_permission(self, request, obj=None):
        return False


class EventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    can_delete = False
    readonly_fields = ("at", "kind", "from_level", "to_level", "actor", "mediator", "reason")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "compound",
        "building",
        "category",
        "risk",
        "level",
        "status",
        "mediator",
        "opened_at",
        "due_at",
    )
    list_filter = ("status", "level", "risk", "category")
    search_fields = ("summary", "compound__name", "compound__code")
    date_hierarchy = "opened_at"
    inlines = [PartyInline, EventInline]
    actions = ["escalate_overdue_now"]

    @admin.action(description=_("立即检查超时并自动上报"))
    def escalate_overdue_now(self, request, queryset):
        moved = services.cases_escalate_overdue()
        messages.info(request, _("已上报 %(n)s 件超时案件。") % {"n": moved})


@admin.register(Session)
class SessionAdmin(ReadOnlyAdmin):
    list_display = ("case", "level", "held_at", "mediator")


@admin.register(Sweep)
class SweepAdmin(ReadOnlyAdmin):
    list_display = (
        "building",
        "compound",
        "period_start",
        "period_end",
        "done_at",
        "found_nothing",
    )
    list_filter = ("period_start",)


@admin.register(Policy)
class PolicyAdmin(AuditedAdmin):
    list_display = (
        "compound",
        "building_days",
        "compound_days",
        "community_days",
        "street_days",
        "followup_days",
        "reopen_days",
        "sweep_period",
    )
