"""Emergency command (战疫防汛): events over an area, each affected compound's
checklist and daily reports, the roll call of responders and vulnerable
residents, and the timeline the board shows."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    EPIDEMIC = "epidemic", _("疫情")
    FLOOD = "flood", _("防汛")
    TYPHOON = "typhoon", _("台风")
    FIRE = "fire", _("火灾")
    OTHER = "other", _("其他")


class Grade(models.IntegerChoices):
    I = 1, _("Ⅰ级（特别重大）")  # noqa: E741
    II = 2, _("Ⅱ级（重大）")
    III = 3, _("Ⅲ级（较大）")
    IV = 4, _("Ⅳ级（一般）")


class Area(models.TextChoices):
    CITY = "city", _("全市")
    DISTRICT = "district", _("区")
    STREET = "street", _("街道")
    COMPOUNDS = "compounds", _("指定小区")


class Status(models.TextChoices):
    OPENING = "opening", _("启动中")
    OPEN = "open", _("进行中")
    CLOSED = "closed", _("已结束")


class Event(models.Model):
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    grade = models.PositiveSmallIntegerField(_("响应等级"), choices=Grade.choices)
    title = models.CharField(_("名称"), max_length=100)
    area = models.CharField(_("范围"), max_length=12, choices=Area.choices)
    region = models.ForeignKey(
        "core.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # the region whose officers may see and run the event (the opener's own, or
    # the area's): a district officer's event lies under their district
    owner_region = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    compounds = models.ManyToManyField(
        "core.Compound", through="EventCompound", related_name="emergency_events"
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    report_by = models.TimeField(_("日报截止时间"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    job = models.ForeignKey("core.Job", null=True, blank=True, on_delete=models.SET_NULL)
    summary = models.TextField(_("总结"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("应急事件")
        verbose_name_plural = _("应急事件")

    def __str__(self):
        return self.title


class EventCompound(models.Model):
    """One affected compound of an event. ``ready_at`` is set when its
    checklist and notices exist (the opening job's progress); ``chased_on`` is
    the last day its missing report was chased (claimed by a conditional
    UPDATE, so the chase fires once)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="affected")
    compound = models.ForeignKey("core.Compound", on_delete=models.CASCADE, related_name="+")
    ready_at = models.DateTimeField(null=True, blank=True)
    chased_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "compound"], name="emergency_event_compound")
        ]


class ChecklistItem(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="items")
    compound = models.ForeignKey("core.Compound", on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=30)
    position = models.PositiveSmallIntegerField(default=0)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    photo = models.ImageField(_("照片"), upload_to="emergency/%Y/%m/", blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "compound", "code"], name="emergency_item_once"
            )
        ]


class DailyReport(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="reports")
    compound = models.ForeignKey("core.Compound", on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("日期"))
    on_duty = models.PositiveIntegerField(_("在岗人数"))
    checklist_done = models.PositiveIntegerField(_("清单完成项"), default=0)
    incidents = models.PositiveIntegerField(_("突发情况"), default=0)
    people_moved = models.PositiveIntegerField(_("转移人数"), default=0)
    needs = models.CharField(_("需求"), max_length=300, blank=True)
    note = models.TextField(_("情况说明"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField()
    late = models.BooleanField(default=False)

    class Meta:
        ordering = ["-day", "compound_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "compound", "day"], name="emergency_report_per_day"
            )
        ]


class Group(models.TextChoices):
    RESPONDER = "responder", _("先锋队员和志愿者")
    VULNERABLE = "vulnerable", _("关爱对象")


class Answer(models.TextChoices):
    UNKNOWN = "unknown", _("未确认")
    SAFE = "safe", _("平安")
    NEEDS_HELP = "needs_help", _("需要帮助")


class RollCallEntry(models.Model):
    """One person asked "are you safe" (and, a responder, "can you serve")."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="roll")
    compound = models.ForeignKey("core.Compound", on_delete=models.CASCADE, related_name="+")
    group = models.CharField(max_length=12, choices=Group.choices)
    source = models.CharField(max_length=40)  # "party.member:12", "care.person:3"
    name = models.CharField(max_length=50)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answer = models.CharField(max_length=12, choices=Answer.choices, default=Answer.UNKNOWN)
    can_serve = models.BooleanField(null=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["group", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "compound", "source"], name="emergency_roll_once"
            )
        ]


class TimelineEntry(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="timeline")
    compound = models.ForeignKey(
        "core.Compound", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now, db_index=True)
    what = models.CharField(max_length=30)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]


class Directive(models.Model):
    """An order from the authority to the event's compounds, to acknowledge
    by ``ack_by``; each compound's receipt records when it was read and
    acknowledged."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="directives")
    title = models.CharField(_("标题"), max_length=100)
    text = models.TextField(_("内容"))
    ack_by = models.DateTimeField(_("确认截止"))
    # an attached file (the official order as PDF, a map, a form to fill)
    attachment = models.FileField(upload_to="emergency/directives/%Y/%m/", blank=True)
    attachment_name = models.CharField(max_length=100, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-issued_at", "-id"]


class Receipt(models.Model):
    directive = models.ForeignKey(Directive, on_delete=models.CASCADE, related_name="receipts")
    compound = models.ForeignKey("core.Compound", on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(null=True, blank=True)
    acked_at = models.DateTimeField(null=True, blank=True)
    acked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["directive", "compound"], name="emergency_receipt_once")
        ]


class Supply(models.TextChoices):
    MASKS = "masks", _("口罩")
    DISINFECTANT = "disinfectant", _("消毒液")
    SANDBAGS = "sandbags", _("沙袋")
    PUMPS = "pumps", _("抽水泵")
    TORCHES = "torches", _("手电筒")
    OTHER = "other", _("其他物资")


class Stage(models.TextChoices):
    NEED = "need", _("需求")
    AVAILABLE = "available", _("有货")
    ALLOCATED = "allocated", _("已调拨")
    DELIVERED = "delivered", _("已送达")


class MaterialRequest(models.Model):
    """A compound's request for supplies during an event, going up the chain
    and coming down it: need (the compound asks) → available (its company
    has it in stock) or allocated (the authority sends it) → delivered (the
    compound confirms it arrived). Each step is a conditional UPDATE on the
    stage it leaves."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="materials")
    compound = models.ForeignKey("core.Compound", on_delete=models.CASCADE, related_name="+")
    supply = models.CharField(_("物资"), max_length=14, choices=Supply.choices)
    quantity = models.PositiveIntegerField(_("数量"))
    stage = models.CharField(max_length=10, choices=Stage.choices, default=Stage.NEED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    moved_at = models.DateTimeField(null=True, blank=True)
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-requested_at", "-id"]


class Stock(models.Model):
    """Standing stock of one supply, kept between events: a company's store
    (what it can mark available for its compounds) or a compound's own
    (what arrived and stays). Quantities move only by conditional UPDATEs, so
    two requests at once never take the same masks twice."""

    company = models.ForeignKey(
        "core.Company", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    compound = models.ForeignKey(
        "core.Compound", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    supply = models.CharField(_("物资"), max_length=14, choices=Supply.choices)
    quantity = models.PositiveIntegerField(_("数量"), default=0)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(company__isnull=True, compound__isnull=False)
                | Q(company__isnull=False, compound__isnull=True),
                name="emergency_stock_one_owner",
            ),
            models.UniqueConstraint(
                fields=["company", "supply"],
                condition=Q(compound__isnull=True),
                name="emergency_stock_company_once",
            ),
            models.UniqueConstraint(
                fields=["compound", "supply"],
                condition=Q(company__isnull=True),
                name="emergency_stock_compound_once",
            ),
        ]


class AfterStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待验收")
    RETURNED = "returned", _("退回修改")
    ACCEPTED = "accepted", _("已验收")


class AfterAction(models.Model):
    """A compound's after-action report (复盘报告) on a closed event: what
    happened, what worked, what to improve, in its own words; ``figures``
    are taken from the event's own records each time it is saved (items done,
    reports sent and late, roll call, supplies delivered), never typed. The
    compound's manager submits it, the regulator accepts it or returns it."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="after_actions")
    compound = models.ForeignKey("core.Compound", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        _("状态"), max_length=10, choices=AfterStatus.choices, default=AfterStatus.DRAFT
    )
    happened = models.TextField(_("经过"), max_length=2000)
    worked = models.TextField(_("有效做法"), max_length=2000)
    improve = models.TextField(_("改进之处"), max_length=2000)
    figures = models.JSONField(default=dict, blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.CharField(_("退回原因"), max_length=300, blank=True)

    class Meta:
        ordering = ["compound__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "compound"], name="emergency_after_once")
        ]


class NomineeKind(models.TextChoices):
    TEAM = "team", _("先锋队或服务队")
    VOLUNTEER = "volunteer", _("志愿者")
    STAFF = "staff", _("工作人员")


class Nomination(models.Model):
    """A person or team nominated from a closed event's work, with a citation:
    by the compound (from its after-action report) or by the regulator. The
    supervision module judges them as exemplary cases (a nominable record)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="nominations")
    compound = models.ForeignKey("core.Compound", on_delete=models.CASCADE, related_name="+")
    report = models.ForeignKey(
        AfterAction, null=True, blank=True, on_delete=models.SET_NULL, related_name="nominations"
    )
    kind = models.CharField(_("类别"), max_length=10, choices=NomineeKind.choices)
    nominee = models.CharField(_("被推荐人或队伍"), max_length=50)
    citation = models.TextField(_("推荐事迹"), max_length=1000)
    by_regulator = models.BooleanField(default=False)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
