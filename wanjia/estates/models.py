"""The registry: units, households, residents and staff, under the kernel's
scope tree (regions, companies, compounds, buildings live in wanjia.core.models).

Households and residents carry their building and compound ids as well (kept
by the services), so scoping and counting never join four tables deep."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wanjia.core.fields import EncryptedTextField
from wanjia.core.models import Building, Company, Compound


class Unit(models.Model):
    building = models.ForeignKey(Building, on_delete=models.CASCADE, related_name="units")
    name = models.CharField(_("单元"), max_length=20)

    class Meta:
        verbose_name = _("单元")
        verbose_name_plural = _("单元")
        ordering = ["building_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["building", "name"], name="unit_unique_name")
        ]

    def __str__(self):
        return f"{self.building.name}{self.name}"


class Household(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="households")
    building = models.ForeignKey(
        Building, on_delete=models.CASCADE, related_name="households", editable=False
    )
    compound = models.ForeignKey(
        Compound, on_delete=models.CASCADE, related_name="households", editable=False
    )
    room = models.CharField(_("房号"), max_length=20)
    floor = models.SmallIntegerField(_("楼层"), default=1)
    code = models.CharField(_("住户编码"), max_length=40, unique=True)
    area_m2 = models.DecimalField(
        _("面积(㎡)"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    quarantine = models.BooleanField(_("居家隔离"), default=False)

    class Meta:
        verbose_name = _("住户")
        verbose_name_plural = _("住户")
        ordering = ["building_id", "unit_id", "floor", "room"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "room"], name="household_unique_room")
        ]

    def __str__(self):
        return f"{self.building.name}{self.unit.name}{self.room}"

    @property
    def label(self) -> str:
        return f"{self.building.name}-{self.unit.name}-{self.room}"


class Relation(models.TextChoices):
    OWNER = "owner", _("业主")
    TENANT = "tenant", _("租户")
    FAMILY = "family", _("家庭成员")


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")
    UNKNOWN = "", _("未填")


class Resident(models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="residents")
    building = models.ForeignKey(
        Building, on_delete=models.CASCADE, related_name="+", editable=False
    )
    compound = models.ForeignKey(
        Compound, on_delete=models.CASCADE, related_name="residents", editable=False
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resident",
    )
    name = models.CharField(_("姓名"), max_length=50)
    name_pinyin = models.CharField(max_length=200, db_index=True, editable=False)
    name_initials = models.CharField(max_length=50, db_index=True, editable=False)
    relation = models.CharField(
        _("与户关系"), max_length=10, choices=Relation.choices, default=Relation.OWNER
    )
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True, db_index=True)
    id_number = EncryptedTextField(_("身份证号"), blank=True)
    id_number_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    lives_alone = models.BooleanField(_("独居"), default=False)
    disability = models.BooleanField(_("残疾"), default=False)
    chronic_illness = models.BooleanField(_("慢性病"), default=False)
    health_notes = EncryptedTextField(_("健康备注"), blank=True)
    is_party_member = models.BooleanField(_("党员"), default=False)
    emergency_contacts = models.JSONField(_("紧急联系人"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("居民")
        verbose_name_plural = _("居民")
        ordering = ["household_id", "id"]
        indexes = [
            models.Index(fields=["compound", "lives_alone"]),
            models.Index(fields=["compound", "name"]),
            # the API's list of a compound's residents, by id a page at a time:
            # without it the planner walked the primary key and filtered, which
            # costs nothing for the first compound and a scan of the city's
            # residents for the last (bench-city measures the last)
            models.Index(fields=["compound", "id"], name="estates_resident_by_compound"),
        ]

    def __str__(self):
        return self.name


class Duty(models.TextChoices):
    PATROL = "patrol", _("巡逻")
    COURIER = "courier", _("配送")
    MARKET = "market", _("市场")
    CARETAKER = "caretaker", _("关爱")
    REPAIR = "repair", _("维修")


class StaffMember(models.Model):
    """An employee of a property company, posted to one compound (or company-wide)."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="staff")
    compound = models.ForeignKey(
        Compound, null=True, blank=True, on_delete=models.SET_NULL, related_name="staff"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff_profile",
    )
    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    is_party_member = models.BooleanField(_("党员"), default=False)
    active = models.BooleanField(_("在岗"), default=True)

    class Meta:
        verbose_name = _("员工")
        verbose_name_plural = _("员工")
        ordering = ["compound_id", "name"]

    def __str__(self):
        return self.name

    @property
    def duty_codes(self) -> list[str]:
        return [d.duty for d in self.duties.all()]


class StaffDuty(models.Model):
    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="duties")
    duty = models.CharField(_("职责"), max_length=20, choices=Duty.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["staff", "duty"], name="staff_duty_unique")]


class RegistryTally(models.Model):
    """One compound's registry counts (``figures.Figures``), kept so that the
    regulator's pages add up a row per compound instead of counting millions of
    residents on every visit (measured: ``/gov/`` at a million households, see
    docs/city-scale.md).

    A tally is current for the local date it was counted on (``counted_on``:
    who counts as elderly moves with the date). Any save or delete of the
    compound's buildings, households, residents or staff deletes its tally in
    the same transaction (``figures.tally_forget``, wired in ``apps``), so a
    rolled-back edit keeps the tally and a committed one drops it; the next
    read counts that compound again and stores the result. Bulk writes (the
    importer, the demo loader, the city generator) forget or refresh it
    themselves; a nightly job recounts every compound."""

    compound = models.OneToOneField(
        Compound, primary_key=True, on_delete=models.CASCADE, related_name="registry_tally"
    )
    buildings = models.PositiveIntegerField(default=0)
    households = models.PositiveIntegerField(default=0)
    residents = models.PositiveIntegerField(default=0)
    elderly_alone = models.PositiveIntegerField(default=0)
    party_residents = models.PositiveIntegerField(default=0)
    party_staff = models.PositiveIntegerField(default=0)
    counted_on = models.DateField()
    counted_at = models.DateTimeField()

    class Meta:
        verbose_name = _("登记数统计")
        verbose_name_plural = _("登记数统计")
