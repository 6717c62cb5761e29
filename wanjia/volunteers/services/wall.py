"""The thanks wall and the service certificate."""

from django.core import signing
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wanjia.core.audit import audit
from wanjia.core.errors import Conflict, Forbidden, Invalid

from .. import access
from ..models import Certificate, HoursEntry, Thanks, ThanksStatus, ThanksTarget, Volunteer

# the national volunteer-service grading: one to five stars
STARS = ((1500, 5), (1000, 4), (600, 3), (300, 2), (100, 1))
CERT_SALT = "wanjia.volunteers.certificate"


def masked_name(name: str) -> str:
    """张伟 -> 张*, 欧阳修文 -> 欧***: the family name and a star a character."""
    name = (name or "").strip()
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


def stars_for(minutes: int) -> int:
    hours = (minutes or 0) / 60
    return next((s for h, s in STARS if hours >= h), 0)


def next_star(minutes: int) -> tuple[int, int] | None:
    """(the next star, the hours it needs) or None at five stars."""
    hours = (minutes or 0) / 60
    for h, s in reversed(STARS):
        if hours < h:
            return s, h
    return None


def confirmed_minutes(volunteer: Volunteer) -> int:
    return HoursEntry.objects.filter(volunteer=volunteer).aggregate(m=Sum("minutes"))["m"] or 0


def certificate_token(cert: Certificate) -> str:
    return signing.dumps({"c": cert.pk}, salt=CERT_SALT, compress=True)


def certificate_from_token(token: str) -> Certificate | None:
    try:
        data = signing.loads(token, salt=CERT_SALT)
    except signing.BadSignature:
        return None
    pk = data.get("c") if isinstance(data, dict) else None
    if not isinstance(pk, int):
        return None
    return Certificate.objects.filter(pk=pk).select_related("volunteer", "compound").first()


def certificate_issue(*, actor, volunteer: Volunteer) -> Certificate:
    """Issue a certificate of the volunteer's confirmed hours: the volunteer
    themself or a manager of the compound."""
    own = volunteer.user_id == actor.pk and access.can_serve(actor, volunteer.compound)
    if not (own or access.can_manage(actor, volunteer.compound)):
        raise Forbidden
    minutes = confirmed_minutes(volunteer)
    if minutes <= 0:
        raise Conflict(_("还没有经过确认的服务时长，暂时不能开具证明。"))
    now = timezone.now()
    with transaction.atomic():
        cert = Certificate.objects.create(
            volunteer=volunteer,
            compound=volunteer.compound,
            number="",
            minutes=minutes,
            stars=stars_for(minutes),
            issued_at=now,
            issued_by=actor,
        )
        cert.number = f"ZYFW-{timezone.localdate(now):%Y}-{cert.pk:06d}"
        Certificate.objects.filter(pk=cert.pk).update(number=cert.number)
        audit(
            actor=actor,
            action="volunteers.certificate.issued",
            obj=cert,
            compound=volunteer.compound,
            detail={"volunteer": volunteer.pk, "minutes": minutes},
        )
    return cert


def thanks_create(*, actor, compound, target_kind, target_id, target_name, text) -> Thanks:
    """A resident thanks a named person (``target_name`` as the wall shows
    it, resolved by the caller from the compound's own records) for something
    specific. It waits for the compound's approval before it shows."""
    if not access.can_thank(actor, compound):
        raise Forbidden
    text = (text or "").strip()
    errors = {}
    if target_kind not in ThanksTarget.values or not target_id or not target_name:
        errors["target"] = _("请选择要感谢的人。")
    if len(text) < 4:
        errors["text"] = _("请具体写一写要感谢的事（至少 4 个字）。")
    elif len(text) > 300:
        errors["text"] = _("最多 %(n)s 个字。") % {"n": 300}
    if errors:
        raise Invalid(errors)
    label = masked_name(actor.display_name or "") or _("一位居民")
    with transaction.atomic():
        thanks = Thanks.objects.create(
            compound=compound,
            author=actor,
            author_label=str(label)[:50],
            target_kind=target_kind,
            target_id=target_id,
            target_name=target_name[:50],
            text=text,
            created_at=timezone.now(),
        )
        audit(actor=actor, action="volunteers.thanks.created", obj=thanks, compound=compound)
    return thanks


def thanks_moderate(*, actor, thanks: Thanks, show: bool) -> Thanks:
    if not access.can_manage(actor, thanks.compound):
        raise Forbidden
    status = ThanksStatus.SHOWN if show else ThanksStatus.HIDDEN
    with transaction.atomic():
        won = (
            Thanks.objects.filter(pk=thanks.pk)
            .exclude(status=status)
            .update(status=status, moderated_at=timezone.now(), moderated_by=actor)
        )
        if not won:
            raise Conflict(_("已经是这个状态了。"))
        thanks.refresh_from_db()
        audit(
            actor=actor,
            action="volunteers.thanks.shown" if show else "volunteers.thanks.hidden",
            obj=thanks,
            compound=thanks.compound,
        )
    return thanks
