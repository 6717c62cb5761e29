"""Django admin for the registry and the kernel's scope tree (superusers only; the
scope tree's pages stay here because a building's page shows its units inline).

Personal data stays masked here as everywhere: lists show ``138****5678`` and
``5110**********1234``; the resident form never carries the ID number or the
health notes in clear (revealing them is the audited action of the console).
Records whose derived fields the services keep (a region's path, a household's
building, compound and code, a resident's pinyin and ID hash) are written
through those services."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from wanjia.core import pii
from wanjia.core.admin import AuditedAdmin
from wanjia.core.models import Building, Company, Compound, Region

from .models import Household, Resident, StaffDuty, StaffMember, Unit
from .services import (
    RESIDENT_FIELDS,
    household_create,
    region_create,
    resident_create,
    validate_resident,
)
from .services import resident_update as resident_update_service


@admin.register(Region)
class RegionAdmin(AuditedAdmin):
    list_display = ("name", "kind", "code", "parent")
    list_filter = ("kind",)
    search_fields = ("name", "code")
    autocomplete_fields = ("parent",)
    list_select_related = ("parent",)

    def get_readonly_fields(self, request, obj=None):
        # Moving a node would leave the materialized paths of its subtree stale.
        return ("parent",) if obj is not None else ()

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        created = region_create(
            actor=request.user, kind=obj.kind, name=obj.name, code=obj.code, parent=obj.parent
        )
        obj.pk, obj.path = created.pk, created.path
        self.audit_save(request, obj, form, change)


@admin.register(Company)
class CompanyAdmin(AuditedAdmin):
    list_display = ("name", "credit_code", "contact_phone", "region")
    search_fields = ("name", "credit_code")
    autocomplete_fields = ("region",)
    list_select_related = ("region",)


@admin.register(Compound)
class CompoundAdmin(AuditedAdmin):
    list_display = ("name", "code", "kind", "company", "community", "co_managed_by_authority")
    list_filter = ("kind", "co_managed_by_authority", "company")
    search_fields = ("name", "code", "address")
    autocomplete_fields = ("community", "company")
    list_select_related = ("company", "community")


class UnitInline(admin.TabularInline):
    model = Unit
    extra = 0
    fields = ("name",)
    show_change_link = True


@admin.register(Building)
class BuildingAdmin(AuditedAdmin):
    list_display = ("name", "compound", "floors", "has_elevator", "sort")
    list_filter = ("has_elevator", "compound__kind")
    search_fields = ("name", "compound__name", "compound__code")
    autocomplete_fields = ("compound",)
    list_select_related = ("compound",)
    inlines = [UnitInline]


@admin.register(Unit)
class UnitAdmin(AuditedAdmin):
    list_display = ("name", "building", "compound_name")
    search_fields = ("name", "building__name", "building__compound__name")
    autocomplete_fields = ("building",)
    list_select_related = ("building__compound",)

    @admin.display(description=_("小区"), ordering="building__compound__name")
    def compound_name(self, obj):
        return obj.building.compound.name


@admin.register(Household)
class HouseholdAdmin(AuditedAdmin):
    list_display = ("code", "compound", "building", "unit", "room", "floor", "quarantine")
    list_filter = ("quarantine", "compound__kind")
    search_fields = ("=code", "room", "compound__name")
    autocomplete_fields = ("unit",)
    list_select_related = ("compound", "building", "unit")
    readonly_fields = ("code",)
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        # The room and unit make up the household code that imports match on.
        return ("code", "unit", "room") if obj is not None else ("code",)

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        created = household_create(
            actor=request.user,
            unit=obj.unit,
            room=obj.room,
            floor=obj.floor,
            area_m2=obj.area_m2,
        )
        if obj.quarantine:
            created.quarantine = True
            created.save(update_fields=["quarantine"])
        obj.pk, obj.code = created.pk, created.code
        self.audit_save(request, obj, form, change)


class ResidentForm(forms.ModelForm):
    class Meta:
        model = Resident
        # Listed, not excluded: a personal field added to Resident later must not
        # appear here in clear by default. No ID number, no health notes.
        fields = (
            "household",
            "user",
            "name",
            "relation",
            "gender",
            "phone",
            "birth_date",
            "lives_alone",
            "disability",
            "chronic_illness",
            "is_party_member",
            "emergency_contacts",
        )

    def clean(self):
        """The service's own validation, so its messages appear beside the fields."""
        cleaned = super().clean()
        validate_resident({k: v for k, v in cleaned.items() if k in RESIDENT_FIELDS})
        return cleaned


@admin.register(Resident)
class ResidentAdmin(AuditedAdmin):
    form = ResidentForm
    list_display = (
        "name",
        "household",
        "compound",
        "relation",
        "masked_phone",
        "masked_id_number",
        "lives_alone",
        "is_party_member",
    )
    list_filter = (
        "relation",
        "gender",
        "lives_alone",
        "disability",
        "chronic_illness",
        "is_party_member",
        "compound__kind",
    )
    # An ID number is found through its keyed hash (see get_search_results).
    search_fields = ("name", "name_pinyin", "name_initials", "phone")
    autocomplete_fields = ("household",)
    raw_id_fields = ("user",)
    list_select_related = ("household__building", "household__unit", "compound")
    show_full_result_count = False

    @admin.display(description=_("手机号"))
    def masked_phone(self, obj):
        return pii.mask_phone(obj.phone)

    @admin.display(description=_("身份证号"))
    def masked_id_number(self, obj):
        return pii.mask_id_number(obj.id_number)

    def get_readonly_fields(self, request, obj=None):
        fields = ("masked_id_number", "created_at", "updated_at")
        return ("household", *fields) if obj is not None else fields

    def get_search_results(self, request, queryset, search_term):
        term = pii.normalize_id_number(search_term)
        if term and pii.id_number_error(term) is None:
            return queryset.filter(id_number_hash=pii.lookup_hash(term)), False
        return super().get_search_results(request, queryset, search_term)

    def save_model(self, request, obj, form, change):
        """Through the services: they validate, keep pinyin and hashes, and audit."""
        data = {k: form.cleaned_data[k] for k in RESIDENT_FIELDS if k in form.cleaned_data}
        if change:
            resident_update_service(actor=request.user, resident=obj, data=data)
        else:
            saved = resident_create(actor=request.user, household=obj.household, data=data)
            obj.pk = saved.pk
        if "user" in form.changed_data:
            Resident.objects.filter(pk=obj.pk).update(user=form.cleaned_data.get("user"))
            self.audit_save(request, obj, form, change)


class StaffDutyInline(admin.TabularInline):
    model = StaffDuty
    extra = 1
    fields = ("duty",)


@admin.register(StaffMember)
class StaffMemberAdmin(AuditedAdmin):
    list_display = (
        "name",
        "company",
        "compound",
        "masked_phone",
        "duties_label",
        "is_party_member",
        "active",
    )
    list_filter = ("active", "is_party_member", "duties__duty", "company")
    search_fields = ("name", "phone", "compound__name")
    autocomplete_fields = ("company", "compound")
    raw_id_fields = ("user",)
    list_select_related = ("company", "compound")
    inlines = [StaffDutyInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("duties")

    @admin.display(description=_("手机号"))
    def masked_phone(self, obj):
        return pii.mask_phone(obj.phone)

    @admin.display(description=_("职责"))
    def duties_label(self, obj):
        return "、".join(d.get_duty_display() for d in obj.duties.all())
