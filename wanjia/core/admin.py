"""Django admin for superusers: identity, memberships, the audit log, the
notification outbox and job records.

The admin is a repair tool, not a second write path: memberships are granted
through ``membership_grant`` (which fills the compound of building and
household memberships, as the scoping selector needs), every save and delete
made here is audited, the audit log cannot be changed at all, and API tokens
show their prefix only."""

from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import pii
from .audit import audit
from .auth import lockout_message, login_check
from .models import (
    ApiToken,
    AuditLog,
    Job,
    Membership,
    Notification,
    OutboxMessage,
    User,
)
from .notify import outbox_retry
from .services import membership_grant


class LockoutAdminAuthenticationForm(AdminAuthenticationForm):
    """The admin's login goes through ``login_check`` like every other way in:
    the same lockout by account and by IP, the same audit entries. Without it
    ``/admin/login/`` (the one form that leads to a superuser) allowed unlimited
    guessing."""

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            self.user_cache, code = login_check(self.request, username, password, channel="admin")
            if code == "locked":
                raise ValidationError(lockout_message(), code="locked")
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


admin.site.login_form = LockoutAdminAuthenticationForm
admin.site.site_header = _("万家 · 系统管理")
admin.site.site_title = _("万家系统管理")
admin.site.index_title = _("数据维护")


def admin_action_code(obj, verb: str) -> str:
    return f"admin.{obj._meta.app_label}.{obj._meta.model_name}.{verb}"


class AuditedAdmin(admin.ModelAdmin):
    """Audit every add, change and delete made through the admin (field names
    only: values may be personal data)."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self.audit_save(request, obj, form, change)

    def audit_save(self, request, obj, form, change):
        audit(
            actor=request.user,
            action=admin_action_code(obj, "changed" if change else "added"),
            obj=obj,
            detail={"fields": sorted(form.changed_data)},
        )

    def delete_model(self, request, obj):
        with transaction.atomic():
            audit(actor=request.user, action=admin_action_code(obj, "deleted"), obj=obj)
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                audit(actor=request.user, action=admin_action_code(obj, "deleted"), obj=obj)
            super().delete_queryset(request, queryset)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written only by the application: superusers may look, not touch."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- memberships ------------------------------------------------------------------

MEMBERSHIP_NODES = ("region", "company", "compound", "building", "household")


def grant_from_form(request, membership: Membership) -> Membership:
    """Create a membership typed into the admin through the service."""
    node = getattr(membership, membership.scope_type)
    return membership_grant(
        actor=request.user, user=membership.user, role=membership.role, node=node
    )


class MembershipInline(admin.TabularInline):
    """Memberships are granted or revoked, never edited in place: changing the
    scope of a live membership would silently widen what someone sees."""

    model = Membership
    extra = 0
    fields = ("role", "scope_type", *MEMBERSHIP_NODES, "created_at")
    readonly_fields = ("created_at",)
    raw_id_fields = MEMBERSHIP_NODES

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(AuditedAdmin, DjangoUserAdmin):
    list_display = (
        "username",
        "display_name",
        "masked_phone",
        "is_active",
        "is_staff",
        "is_superuser",
        "last_login",
    )
    list_filter = ("is_active", "is_staff", "is_superuser", "memberships__role")
    search_fields = ("username", "display_name", "phone")
    ordering = ("username",)
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            _("个人信息"),
            {"fields": ("display_name", "phone", "language", "wechat_openid", "email")},
        ),
        (
            _("权限"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("时间"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "phone",
                    "display_name",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    readonly_fields = ("last_login", "date_joined")

    @admin.display(description=_("手机号"), ordering="phone")
    def masked_phone(self, obj):
        return pii.mask_phone(obj.phone or "")

    def save_formset(self, request, form, formset, change):
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        for membership in formset.save(commit=False):
            grant_from_form(request, membership)
        for membership in formset.deleted_objects:
            revoke_membership(request, membership)


def revoke_membership(request, membership: Membership) -> None:
    with transaction.atomic():
        audit(
            actor=request.user,
            action="core.membership.revoked",
            compound=membership.compound,
            detail={
                "user": membership.user_id,
                "role": membership.role,
                "scope_type": membership.scope_type,
                "scope_id": membership.scope_id,
            },
        )
        membership.delete()


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "scope_type", "scope_label", "created_at")
    list_filter = ("role", "scope_type")
    search_fields = ("user__username", "user__display_name", "user__phone")
    raw_id_fields = ("user", *MEMBERSHIP_NODES)
    list_select_related = ("user", *MEMBERSHIP_NODES)
    readonly_fields = ("created_at",)

    @admin.display(description=_("任职范围"))
    def scope_label(self, obj):
        return obj.scope_label

    def get_readonly_fields(self, request, obj=None):
        # Existing memberships are revoked and granted anew, not re-scoped.
        if obj is not None:
            return ("user", "role", "scope_type", *MEMBERSHIP_NODES, "created_at")
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            return
        saved = grant_from_form(request, obj)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        revoke_membership(request, obj)

    def delete_queryset(self, request, queryset):
        for membership in queryset.select_related("compound"):
            revoke_membership(request, membership)


# --- tokens and the audit log ----------------------------------------------------


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """The key hash never leaves the database; the prefix is enough to tell tokens apart."""

    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("prefix", "user__username", "name")
    fields = ("prefix", "user", "name", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    list_select_related = ("user",)
    actions = ["revoke"]

    @admin.action(description=_("吊销所选令牌"), permissions=["view"])
    def revoke(self, request, queryset):
        with transaction.atomic():
            tokens = list(queryset.filter(revoked_at__isnull=True))
            ApiToken.objects.filter(pk__in=[t.pk for t in tokens]).update(revoked_at=timezone.now())
            for token in tokens:
                audit(
                    actor=request.user,
                    action="core.token.revoked",
                    detail={"user": token.user_id, "prefix": token.prefix},
                )
        self.message_user(
            request,
            ngettext("已吊销 %d 个令牌。", "已吊销 %d 个令牌。", len(tokens)) % len(tokens),
            messages.SUCCESS,
        )


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor_name", "action", "compound", "object_type", "object_id", "ip")
    list_filter = ("object_type",)
    search_fields = ("action", "actor_name", "object_id")
    date_hierarchy = "at"
    list_select_related = ("compound",)
    show_full_result_count = False


# --- notifications, outbox, jobs -------------------------------------------------


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("title", "recipient", "kind", "created_at", "read_at")
    list_filter = ("kind", ("read_at", admin.EmptyFieldListFilter))
    search_fields = ("title", "recipient__username", "recipient__display_name")
    raw_id_fields = ("recipient",)
    list_select_related = ("recipient",)
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    """Status changes only by delivery itself, or by "retry" after a fix."""

    list_display = (
        "id",
        "channel",
        "masked_target",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "short_error",
    )
    list_filter = ("status", "channel")
    search_fields = ("=id", "=notification__id", "last_error")
    fields = (
        "notification",
        "channel",
        "masked_target",
        "status",
        "attempts",
        "created_at",
        "next_attempt_at",
        "sent_at",
        "last_error",
        "payload",
    )
    readonly_fields = fields
    date_hierarchy = "created_at"
    show_full_result_count = False
    actions = ["retry"]

    @admin.display(description=_("接收地址"))
    def masked_target(self, obj):
        return pii.mask_phone(obj.target) if obj.channel == "sms" else obj.target

    @admin.display(description=_("最近错误"))
    def short_error(self, obj):
        return obj.last_error[:80]

    @admin.action(description=_("重新发送（失败或未启用的）"), permissions=["view"])
    def retry(self, request, queryset):
        count = outbox_retry(actor=request.user, ids=queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext("%d 条消息已重新排队。", "%d 条消息已重新排队。", count) % count,
            messages.SUCCESS,
        )


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "status", "progress", "total", "compound", "created_by")
    list_filter = ("status", "kind")
    search_fields = ("=id", "kind", "message")
    list_select_related = ("compound", "created_by")
    date_hierarchy = "created_at"
    readonly_fields = ("created_at", "finished_at")

    def get_fields(self, request, obj=None):
        return [f.name for f in Job._meta.fields if f.name != "id"]
