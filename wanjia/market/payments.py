"""Payment channels: how money for an order changes hands.

The market takes payment on delivery (货到付款), in cash or by transfer, and
staff record what they received. Each way of paying is a ``PaymentChannel``;
an online channel (WeChat Pay, a bank) would be another class whose
``confirmed_by`` is the provider's notification instead of a staff member, so
an order is never shown as paid because somebody *meant* to pay."""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


@dataclass(frozen=True)
class PaymentChannel:
    code: str
    label: str
    needs_reference: bool = False  # a transfer's serial number, so it can be matched later
    confirmed_by: str = "staff"  # who vouches that the money arrived

    def check(self, *, amount: Decimal, reference: str) -> None:
        if self.needs_reference and not reference.strip():
            raise ValidationError({"reference": _("转账请填写凭证号或转账记录末 4 位。")})


CHANNELS: dict[str, PaymentChannel] = {
    c.code: c
    for c in (
        PaymentChannel("cash", gettext_lazy("现金（货到付款）")),
        PaymentChannel("transfer", gettext_lazy("转账（货到付款）"), needs_reference=True),
    )
}


def channel(code: str) -> PaymentChannel:
    try:
        return CHANNELS[code]
    except KeyError:
        raise ValidationError({"channel": _("请选择收款方式。")}) from None


def payment_state(total: Decimal, paid: Decimal) -> str:
    """unpaid / partial / paid / refund_due (paid more than owed after a shortage)."""
    if paid <= 0:
        return "unpaid" if total > 0 else "paid"
    if paid < total:
        return "partial"
    return "paid" if paid == total else "refund_due"


PAYMENT_STATE_LABELS = {
    "unpaid": gettext_lazy("未付款"),
    "partial": gettext_lazy("部分付款"),
    "paid": gettext_lazy("已付清"),
    "refund_due": gettext_lazy("需退款"),
}
