"""Forms of the registry pages. They only parse what the browser sent into
Python values; every rule about a resident lives in ``services.validate_resident``,
whose field errors are put back on the form so they show beside the field."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from wanjia.core import pii
from wanjia.core.models import CompoundKind
from wanjia.core.widgets import HtmlDateInput

from .models import Gender, Relation

CONTACT_ROWS = 2


class ResidentForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    relation = forms.ChoiceField(label=_("与户关系"), choices=Relation.choices)
    gender = forms.ChoiceField(label=_("性别"), choices=Gender.choices, required=False)
    phone = forms.CharField(label=_("手机号"), max_length=20, required=False)
    id_number = forms.CharField(label=_("身份证号"), max_length=18, required=False)
    birth_date = forms.DateField(
        label=_("出生日期"),
        required=False,
        widget=HtmlDateInput(),
        error_messages={"invalid": _("出生日期格式应为 YYYY-MM-DD。")},
    )
    lives_alone = forms.BooleanField(label=_("独居"), required=False)
    disability = forms.BooleanField(label=_("残疾"), required=False)
    chronic_illness = forms.BooleanField(label=_("慢性病"), required=False)
    is_party_member = forms.BooleanField(label=_("党员"), required=False)
    health_notes = forms.CharField(
        label=_("健康备注"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, resident=None, **kwargs):
        """With ``resident``, the form edits: personal fields start empty (so they
        are never sent to the browser in clear) and empty means "keep"."""
        self.resident = resident
        super().__init__(*args, **kwargs)
        self.contact_errors: list[str] = []
        for i in range(1, CONTACT_ROWS + 1):
            self.fields[f"ec{i}_name"] = forms.CharField(
                label=_("联系人姓名"), max_length=50, required=False
            )
            self.fields[f"ec{i}_phone"] = forms.CharField(
                label=_("联系人手机号"), max_length=20, required=False
            )
            self.fields[f"ec{i}_relation"] = forms.CharField(
                label=_("关系"), max_length=20, required=False
            )
        if resident is not None:
            self._describe_kept(resident)

    def _describe_kept(self, resident) -> None:
        kept = _("留空则不修改")
        if resident.phone:
            self.fields["phone"].widget.attrs["placeholder"] = (
                f"{pii.mask_phone(resident.phone)} · {kept}"
            )
        if resident.id_number:
            self.fields["id_number"].widget.attrs["placeholder"] = (
                f"{pii.mask_id_number(resident.id_number)} · {kept}"
            )
        if resident.health_notes:
            self.fields["health_notes"].widget.attrs["placeholder"] = _(
                "已有备注（不在此显示）；填写后将替换原备注。"
            )

    @staticmethod
    def initial_for(resident) -> dict:
        """What the edit form starts with: nothing that must stay masked."""
        return {
            "name": resident.name,
            "relation": resident.relation,
            "gender": resident.gender,
            "birth_date": resident.birth_date,
            "lives_alone": resident.lives_alone,
            "disability": resident.disability,
            "chronic_illness": resident.chronic_illness,
            "is_party_member": resident.is_party_member,
        }

    def contact_rows(self):
        return [
            (self[f"ec{i}_name"], self[f"ec{i}_phone"], self[f"ec{i}_relation"])
            for i in range(1, CONTACT_ROWS + 1)
        ]

    def service_data(self) -> dict:
        """The cleaned values in the shape ``resident_create``/``resident_update`` take."""
        data = {k: self.cleaned_data[k] for k in self.base_fields}
        contacts = [
            {
                "name": self.cleaned_data[f"ec{i}_name"].strip(),
                "phone": self.cleaned_data[f"ec{i}_phone"].strip(),
                "relation": self.cleaned_data[f"ec{i}_relation"].strip(),
            }
            for i in range(1, CONTACT_ROWS + 1)
        ]
        contacts = [c for c in contacts if c["name"] or c["phone"] or c["relation"]]
        if self.resident is None:
            data["emergency_contacts"] = contacts
            return data
        for key in ("phone", "id_number", "health_notes"):
            if not data[key]:
                del data[key]  # empty means "keep what is on file"
        if contacts:
            data["emergency_contacts"] = contacts
        return data

    def add_service_errors(self, error: ValidationError) -> None:
        """Show the service's field errors beside the fields they concern."""
        for field, messages in error.message_dict.items():
            if field in self.fields:
                for message in messages:
                    self.add_error(field, message)
            elif field == "emergency_contacts":
                self.contact_errors.extend(messages)
            else:
                for message in messages:
                    self.add_error(None, message)


class CompoundFilter(forms.Form):
    """The compound list's filters, kept in the URL."""

    q = forms.CharField(label=_("名称或编码"), required=False, max_length=50)
    kind = forms.ChoiceField(
        label=_("类型"), required=False, choices=[("", _("全部类型")), *CompoundKind.choices]
    )
    company = forms.TypedChoiceField(
        label=_("物业企业"), required=False, coerce=int, empty_value=None
    )
    # set by links from the regulator's view ("the compounds behind this figure")
    region = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, companies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].choices = [("", _("全部企业"))] + [(c.pk, c.name) for c in companies]
