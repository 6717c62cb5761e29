"""Standing stock (物资储备): what each company keeps in its store and each
compound keeps on site, set by whoever runs it and moved by the material
requests — marking a request available takes it from the company's store
(refused when the store is short), a delivery adds it to the compound's.
Every change is a conditional UPDATE (or an insert guarded by the unique
constraint), so two requests at once never take the same stock twice."""

import re

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from wanjia.core.audit import audit
from wanjia.core.errors import Conflict, Forbidden, Invalid
from wanjia.core.models import Membership
from wanjia.core.roles import R
from wanjia.core.scoping import memberships_of

from .. import access
from ..models import Stock, Supply

MAX_QTY = 1_000_000
DIGITS = re.compile(r"[0-9]{1,7}")  # ASCII only: "²".isdigit() is True, int("²") fails


def keeps_company(user, company) -> bool:
    """The company's admin keeps its store."""
    return getattr(user, "is_superuser", False) or any(
        m.role == R.COMPANY_ADMIN and m.company_id == company.pk for m in memberships_of(user)
    )


def keeps_compound(user, compound) -> bool:
    return access.can_respond(user, compound)


def _owner(company, compound) -> dict:
    return (
        {"company": company, "compound": None}
        if company
        else {"compound": compound, "company": None}
    )


def stock_set(*, actor, counts: dict, company=None, compound=None) -> int:
    """Set the quantities of ``counts`` ({supply: raw number}) for the company's
    store or the compound's; answers how many supplies changed (0: nothing
    written, nothing audited)."""
    if (company is None) == (compound is None):
        raise ValueError("one owner: a company or a compound")
    if not (keeps_company(actor, company) if company else keeps_compound(actor, compound)):
        raise Forbidden
    errors, wanted = {}, {}
    for supply, raw in counts.items():
        if supply not in Supply.values:
            errors["supply"] = [gettext("请选择物资。")]
            continue
        text = str(raw).strip() if raw is not None else ""
        if text == "":
            continue  # a blank box leaves the supply as it is
        if not DIGITS.fullmatch(text) or int(text) > MAX_QTY:
            errors[f"qty_{supply}"] = [gettext("数量应为 0 到 1000000 的整数。")]
            continue
        wanted[supply] = int(text)
    if errors:
        raise Invalid(errors)
    owner = _owner(company, compound)
    now = timezone.now()
    changed = {}
    with transaction.atomic():
        current = {s.supply: s for s in Stock.objects.select_for_update().filter(**owner)}
        for supply, quantity in wanted.items():
            row = current.get(supply)
            if row is None and quantity == 0:
                continue
            if row is not None and row.quantity == quantity:
                continue
            if row is None:
                Stock.objects.create(
                    **owner, supply=supply, quantity=quantity, updated_by=actor, updated_at=now
                )
                changed[supply] = [0, quantity]
            else:
                Stock.objects.filter(pk=row.pk).update(
                    quantity=quantity, updated_by=actor, updated_at=now
                )
                changed[supply] = [row.quantity, quantity]
        if changed:
            audit(
                actor=actor,
                action="emergency.stock.set",
                obj=company or compound,
                compound=compound,
                detail={"changed": changed},
            )
    return len(changed)


def stock_take(*, company, supply, quantity) -> None:
    """Take ``quantity`` from the company's store, or refuse when it is short
    (inside the caller's transaction: a refusal rolls the request's step back)."""
    taken = Stock.objects.filter(
        company=company, compound__isnull=True, supply=supply, quantity__gte=quantity
    ).update(quantity=F("quantity") - quantity, updated_at=timezone.now())
    if not taken:
        have = (
            Stock.objects.filter(company=company, compound__isnull=True, supply=supply)
            .values_list("quantity", flat=True)
            .first()
        ) or 0
        raise Conflict(
            gettext("本企业储备不足：%(supply)s 现有 %(have)s，需要 %(need)s。")
            % {"supply": Supply(supply).label, "have": have, "need": quantity}
        )


def stock_add(*, compound, supply, quantity) -> None:
    """Add what arrived to the compound's own stock."""
    now = timezone.now()
    if Stock.objects.filter(compound=compound, company__isnull=True, supply=supply).update(
        quantity=F("quantity") + quantity, updated_at=now
    ):
        return
    try:
        with transaction.atomic():
            Stock.objects.create(
                compound=compound, supply=supply, quantity=quantity, updated_at=now
            )
    except IntegrityError:  # another delivery made the row first
        Stock.objects.filter(compound=compound, company__isnull=True, supply=supply).update(
            quantity=F("quantity") + quantity, updated_at=now
        )


def companies_kept_by(user):
    """The companies whose store ``user`` keeps."""
    from wanjia.core.models import Company

    if getattr(user, "is_superuser", False):
        return Company.objects.all()
    ids = Membership.objects.filter(user=user, role=R.COMPANY_ADMIN, company__isnull=False)
    return Company.objects.filter(pk__in=ids.values("company_id"))
