"""A company's categories and their targets. Every company starts with the
defaults below (created the first time they are needed); its admin edits the
targets, renames, adds and retires categories."""

import re

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wanjia.core.audit import audit
from wanjia.core.errors import Forbidden, Invalid

from ..access import can_edit_categories
from ..models import Category

# code, name, urgent, respond (minutes), finish (hours), duty, sort
DEFAULTS = [
    ("leak", gettext_lazy("漏水渗水"), True, 30, 24, "repair", 10),
    ("power", gettext_lazy("停电跳闸"), True, 30, 12, "repair", 20),
    ("elevator", gettext_lazy("电梯故障"), True, 30, 24, "repair", 30),
    ("plumbing", gettext_lazy("水管下水"), False, 120, 48, "repair", 40),
    ("doors", gettext_lazy("门窗门禁"), False, 120, 72, "repair", 50),
    ("lighting", gettext_lazy("公共照明"), False, 120, 72, "repair", 60),
    ("cleaning", gettext_lazy("环境卫生"), False, 120, 48, "", 70),
    ("security", gettext_lazy("安全隐患"), True, 30, 24, "patrol", 80),
    ("complaint", gettext_lazy("投诉建议"), False, 120, 120, "", 90),
    ("other", gettext_lazy("其他"), False, 120, 72, "", 100),
]
DEFAULT_CODES = [d[0] for d in DEFAULTS]
DUTIES = ("", "repair", "patrol", "caretaker", "market", "courier")


def categories_ensure(company) -> None:
    """The defaults, for a company that has none yet (idempotent)."""
    if Category.objects.filter(company=company).exists():
        return
    with translation.override(settings.LANGUAGE_CODE):
        rows = [
            Category(
                company=company,
                code=code,
                name=str(name),
                urgent=urgent,
                respond_minutes=respond,
                finish_hours=finish,
                duty=duty,
                sort=sort,
            )
            for code, name, urgent, respond, finish, duty, sort in DEFAULTS
        ]
    Category.objects.bulk_create(rows, ignore_conflicts=True)


def _int(raw, field, lo, hi, errors):
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        errors[field] = [_("请填写整数。")]
        return None
    if not lo <= value <= hi:
        errors[field] = [_("应在 %(lo)s 到 %(hi)s 之间。") % {"lo": lo, "hi": hi}]
        return None
    return value


def category_save(
    *,
    actor,
    company,
    category: Category | None = None,
    code: str = "",
    name: str,
    respond_minutes,
    finish_hours,
    urgent: bool = False,
    duty: str = "",
    active: bool = True,
) -> Category:
    """Add (``category`` None) or edit a category of ``company``; the company
    admin only. Open tickets keep the targets they were opened with."""
    if not can_edit_categories(actor, company):
        raise Forbidden
    if category is not None and category.company_id != company.pk:
        raise Forbidden
    errors: dict = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("请填写名称。")]
    elif len(name) > 30:
        errors["name"] = [_("名称最多 30 个字。")]
    respond = _int(respond_minutes, "respond_minutes", 5, 10080, errors)
    finish = _int(finish_hours, "finish_hours", 1, 2160, errors)
    if duty not in DUTIES:
        errors["duty"] = [_("请选择派单职责。")]
    if category is None:
        code = (code or "").strip().lower()
        if not re.fullmatch(r"[a-z][a-z0-9_-]{1,29}", code):
            errors["code"] = [_("代码用 2–30 个小写字母、数字或下划线，以字母开头。")]
        elif Category.objects.filter(company=company, code=code).exists():
            errors["code"] = [_("这个代码已经用过了。")]
    if respond is not None and finish is not None and respond > finish * 60:
        errors["finish_hours"] = [_("完成时限不能早于响应时限。")]
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        if category is None:
            last = Category.objects.filter(company=company).order_by("-sort").first()
            category = Category(company=company, code=code, sort=(last.sort + 10) if last else 10)
        category.name, category.urgent, category.duty = name, bool(urgent), duty
        category.respond_minutes, category.finish_hours = respond, finish
        category.active = bool(active)
        category.save()
        audit(
            actor=actor,
            action="tickets.category.saved",
            obj=category,
            company=company,
            detail={
                "code": category.code,
                "respond_minutes": respond,
                "finish_hours": finish,
                "active": category.active,
            },
        )
    return category
