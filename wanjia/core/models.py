"""The scope tree (regions, companies, compounds, buildings), identity,
memberships, API tokens, login throttling, the audit log, notifications
(inbox + outbox) and background job records."""

import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .roles import Role


class User(AbstractUser):
    """A person who logs in. Residents, staff and officials are all users;
    what they may see comes only from their memberships."""

    phone = models.CharField(_("手机号"), max_length=20, unique=True, null=True, blank=True)
    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    # The reader's language: notices to this user are written in it. Kept when the
    # user switches the language of the pages; blank means the site's default.
    language = models.CharField(
        _("语言"),
        max_length=10,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("发给此用户的通知用这种语言书写；切换界面语言时自动记下。"),
    )
    # The user's openid at our WeChat official account (公众号), for template
    # messages; empty until the user binds WeChat.
    wechat_openid = models.CharField(
        _("微信 openid"), max_length=64, unique=True, null=True, blank=True
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self):
        return self.display_name or self.username

    @property
    def name(self) -> str:
        return self.display_name or self.username


class RegionKind(models.TextChoices):
    CITY = "city", _("市")
    DISTRICT = "district", _("区")
    STREET = "street", _("街道")
    COMMUNITY = "community", _("社区")


class Region(models.Model):
    """city → district → street → community. ``path`` ("/1/4/9/") makes
    "everything under this node" one indexed prefix filter."""

    kind = models.CharField(_("层级"), max_length=10, choices=RegionKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    code = models.CharField(_("编码"), max_length=30, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=200, db_index=True, editable=False)

    class Meta:
        # The tables keep the names they had when the scope tree lived in estates:
        # moving the models into the kernel changed no row and no table.
        db_table = "estates_region"
        verbose_name = _("行政区域")
        verbose_name_plural = _("行政区域")
        ordering = ["path"]

    def __str__(self):
        return self.name


class Company(models.Model):
    name = models.CharField(_("企业名称"), max_length=100, unique=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("注册地")
    )

    class Meta:
        db_table = "estates_company"
        verbose_name = _("物业企业")
        verbose_name_plural = _("物业企业")
        ordering = ["name"]

    def __str__(self):
        return self.name


class CompoundKind(models.TextChoices):
    COMMODITY = "commodity", _("商品房")
    PUBLIC_RENTAL = "public_rental", _("公租房")
    RESETTLEMENT = "resettlement", _("安置房")


class Compound(models.Model):
    name = models.CharField(_("小区名称"), max_length=100)
    code = models.CharField(_("小区编码"), max_length=20, unique=True)
    kind = models.CharField(
        _("类型"), max_length=20, choices=CompoundKind.choices, default=CompoundKind.COMMODITY
    )
    community = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="compounds", verbose_name=_("社区")
    )
    company = models.ForeignKey(
        Company,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="compounds",
        verbose_name=_("物业企业"),
    )
    co_managed_by_authority = models.BooleanField(_("住房保障部门共管"), default=False)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lng = models.FloatField(_("经度"), null=True, blank=True)

    class Meta:
        db_table = "estates_compound"
        verbose_name = _("小区")
        verbose_name_plural = _("小区")
        ordering = ["code"]

    def __str__(self):
        return self.name


class Building(models.Model):
    compound = models.ForeignKey(Compound, on_delete=models.CASCADE, related_name="buildings")
    name = models.CharField(_("楼栋"), max_length=30)
    floors = models.PositiveSmallIntegerField(_("层数"), default=6)
    has_elevator = models.BooleanField(_("有电梯"), default=False)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lng = models.FloatField(_("经度"), null=True, blank=True)
    sort = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "estates_building"
        verbose_name = _("楼栋")
        verbose_name_plural = _("楼栋")
        ordering = ["compound_id", "sort", "name"]
        constraints = [
            models.UniqueConstraint(fields=["compound", "name"], name="building_unique_name")
        ]

    def __str__(self):
        return f"{self.compound.name} {self.name}"


class ScopeType(models.TextChoices):
    REGION = "region", _("区域")
    COMPANY = "company", _("物业企业")
    COMPOUND = "compound", _("小区")
    BUILDING = "building", _("楼栋")
    HOUSEHOLD = "household", _("住户")


class Membership(models.Model):
    """Binds a user and a role to exactly one node of the tree.

    ``compound`` is also filled for building and household memberships (the
    services do it), so the scoping selector never has to walk up the tree."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    scope_type = models.CharField(_("范围类型"), max_length=16, choices=ScopeType.choices)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.CASCADE)
    company = models.ForeignKey(Company, null=True, blank=True, on_delete=models.CASCADE)
    compound = models.ForeignKey(Compound, null=True, blank=True, on_delete=models.CASCADE)
    building = models.ForeignKey(Building, null=True, blank=True, on_delete=models.CASCADE)
    # A lazy reference, not an import: households belong to the registry (estates),
    # which sits above the kernel, yet a resident's membership is scoped to one.
    household = models.ForeignKey(
        "estates.Household", null=True, blank=True, on_delete=models.CASCADE
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("任职")
        verbose_name_plural = _("任职")
        indexes = [models.Index(fields=["user", "role"])]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.scope_label}"

    @property
    def scope_id(self) -> int | None:
        return getattr(self, f"{self.scope_type}_id")

    @property
    def scope_label(self) -> str:
        return str(getattr(self, self.scope_type) or "")

    def clean(self):
        if getattr(self, f"{self.scope_type}_id", None) is None:
            raise ValidationError({self.scope_type: _("请选择任职范围。")})


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; revocation is final."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    name = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()


class LoginFailure(models.Model):
    """One failed login; counted per account and per IP for the lockout."""

    username = models.CharField(max_length=150, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk ``update()``/``delete()`` refused, like the model's own save and delete.

    Deleting a user or a compound still nulls the entry's foreign key: Django's
    collector goes through ``_base_manager``, a plain manager."""

    def update(self, **kwargs):
        raise ValidationError("audit log entries cannot be changed")

    def delete(self):
        raise ValidationError("audit log entries cannot be deleted")


class AuditLog(models.Model):
    """Append-only record of consequential writes and every unmasked read."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=100, db_index=True)
    compound = models.ForeignKey(
        Compound, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    object_type = models.CharField(max_length=50, blank=True)
    object_id = models.CharField(max_length=50, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-at", "-id"]

    def save(self, *args, **kwargs):
        # Append-only is a storage guarantee, not a business rule: refuse updates.
        if self.pk is not None:
            raise ValidationError("audit log entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("audit log entries cannot be deleted")


class Notification(models.Model):
    """A message in a user's in-app inbox."""

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=64, blank=True)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")
    DISABLED = "disabled", _("渠道未启用")


class OutboxMessage(models.Model):
    """A message waiting for (or done with) an external channel.

    Status becomes ``sent`` only after the channel's receiver accepted it."""

    notification = models.ForeignKey(
        Notification, null=True, blank=True, on_delete=models.CASCADE, related_name="outbox"
    )
    channel = models.CharField(max_length=20)
    target = models.CharField(max_length=300, blank=True)
    payload = models.JSONField(default=dict)
    status = models.CharField(
        max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING, db_index=True
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("进行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class Job(models.Model):
    """A long background job (import, planning) that a page can show progress of."""

    kind = models.CharField(max_length=50)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)
    result = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    compound = models.ForeignKey(
        Compound, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Written by the running worker every few seconds (core.jobs.job_heartbeat);
    # a running job whose heartbeat stops had its worker killed (see jobs_sweep).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="core_job_status_beat")]

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        return int(self.progress * 100 / self.total) if self.total else 0


class TaskStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已交给后台")


class QueuedTask(models.Model):
    """A background task to hand to the queue (Huey), written in the same
    transaction as the work that asks for it (core.jobs.enqueue).

    Sent after commit; if the queue is down the row stays pending and the
    sweeper sends it when the queue is back, so an outage delays work and
    never loses it. ``due_at`` is the claim lease: a sender first pushes it
    ahead by a conditional UPDATE, so two senders never send one row twice."""

    task = models.CharField(max_length=200)  # dotted path of a Huey task
    kwargs = models.JSONField(default=dict, blank=True)
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=TaskStatus.choices, default=TaskStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "due_at"], name="core_task_status_due")]


class IdempotencyKey(models.Model):
    """A client's ``Idempotency-Key`` for one kind of write, with the request's
    fingerprint and the response the first attempt gave (see core.idempotency).

    Written in the same transaction as the write it guards, so a key exists if
    and only if that write committed."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=60)
    key = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(default=0)
    response = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "scope", "key"], name="core_idempotency_unique_key"
            )
        ]


class PeriodicClaim(models.Model):
    """One periodic task's run for one minute, claimed by the consumer whose
    scheduler enqueues it (core.periodic): however many consumers run their
    schedulers, the unique row lets one of them enqueue each tick."""

    task = models.CharField(max_length=200)
    slot = models.DateTimeField()  # the minute the task was due (UTC)
    claimed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["task", "slot"], name="core_periodic_once")]
