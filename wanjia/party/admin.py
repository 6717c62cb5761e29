"""Django admin for the party layer (superusers only; every change audited).
The console pages are the everyday path; this is the repair tool."""

from django.contrib import admin

from wanjia.core.admin import AuditedAdmin

from .models import Activity, Attendance, Branch, Member, Responsibility, Team, TeamMember


@admin.register(Branch)
class BranchAdmin(AuditedAdmin):
    list_display = ("name", "founded_on")
    filter_horizontal = ("compounds",)
    search_fields = ("name",)


class ResponsibilityInline(admin.TabularInline):
    model = Responsibility
    extra = 0
    raw_id_fields = ("building", "household", "compound")


@admin.register(Member)
class MemberAdmin(AuditedAdmin):
    list_display = ("name", "branch", "compound", "role", "status", "show_badge")
    list_filter = ("status", "role")
    search_fields = ("name",)
    raw_id_fields = ("resident", "staff", "compound")
    inlines = [ResponsibilityInline]


class TeamMemberInline(admin.TabularInline):
    model = TeamMember
    extra = 0
    raw_id_fields = ("member",)


@admin.register(Team)
class TeamAdmin(AuditedAdmin):
    list_display = ("name", "kind", "campaign", "compound", "starts_on", "ends_on")
    list_filter = ("kind", "campaign")
    raw_id_fields = ("leader", "compound")
    inlines = [TeamMemberInline]


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0
    raw_id_fields = ("member",)


@admin.register(Activity)
class ActivityAdmin(AuditedAdmin):
    list_display = ("title", "kind", "compound", "held_at")
    list_filter = ("kind",)
    raw_id_fields = ("compound",)
    inlines = [AttendanceInline]
