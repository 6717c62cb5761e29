"""Ratings: given once per subject within the window, recorded for an app that
keeps its own stars (a ticket), re-rated after the fix; an unhappy one opens
the loop."""

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wanjia.core import rateables
from wanjia.core.audit import audit
from wanjia.core.errors import Conflict, NotFound
from wanjia.core.models import Compound
from wanjia.core.notify import notify

from ..models import (
    Loop,
    Rating,
    Stage,
)
from ..workdays import add_working_days
from .common import CALL_DAYS, FIX_DAYS, WINDOW, _event, _level, _staff, _text
from .loops import _step


def rating_give(*, actor, subject: str, level, comment: str = "") -> Rating:
    """Rate a finished service of one's household, once, within the window.
    404 when the subject is not the caller's; 409 when it is not finished, the
    window has passed or it was rated already; 422 for a bad level."""
    found = rateables.find(actor, subject)
    if found is None:
        raise NotFound
    level = _level(level)
    comment = _text(comment, "comment")
    if not found.finished:
        raise Conflict(_("这件事还没有办完，办完后才能评价。"))
    now = timezone.now()
    if now - found.finished_at > WINDOW:
        raise Conflict(_("已超过评价期限（办结后 7 天内）。"))
    compound = Compound.objects.select_related("community").get(pk=found.compound_id)
    with transaction.atomic():
        try:
            with transaction.atomic():
                rating = Rating.objects.create(
                    kind=found.kind,
                    subject_id=found.id,
                    label=found.label[:200],
                    url=found.url[:200],
                    compound=compound,
                    company_id=found.company_id,
                    household_id=found.household_id,
                    rated_by=actor,
                    finished_at=found.finished_at,
                    level=level,
                    first_level=level,
                    comment=comment,
                    rated_at=now,
                )
        except IntegrityError:
            raise Conflict(_("这件事已经评价过了。")) from None
        audit(
            actor=actor,
            action="feedback.rating.given",
            obj=rating,
            compound=compound,
            detail={"subject": found.key, "level": level},
        )
        if rating.unhappy:
            _open_loop(rating, now)
    return rating


def rating_record(*, actor, subject, level: int, comment: str = "") -> Rating:
    """``feedback.record_rating``: an app whose service carries its own rating
    and its own unhappy loop (a ticket's stars on the done work, which reopen
    it) records that rating here, so the index counts it and the subject is
    rated once (``rating_give`` then answers 409). ``subject`` is the app's
    ``rateables.Subject`` (``finished_at`` the work's finish). The first call
    creates the household's rating, a later one (the re-rate after the app's
    own fix) updates its level as ``rating_rerate`` does. No loop opens here:
    the app's own reopen is the loop (see ``tickets/rateable.py``)."""
    level = _level(level)
    comment = _text(comment, "comment")
    now = timezone.now()
    compound = Compound.objects.get(pk=subject.compound_id)
    with transaction.atomic():
        rating, created = Rating.objects.select_for_update().get_or_create(
            kind=subject.kind,
            subject_id=subject.id,
            household_id=subject.household_id,
            defaults={
                "label": subject.label[:200],
                "url": subject.url[:200],
                "compound": compound,
                "company_id": subject.company_id,
                "rated_by": actor,
                "finished_at": subject.finished_at or now,
                "level": level,
                "first_level": level,
                "comment": comment,
                "rated_at": now,
            },
        )
        if not created:
            Rating.objects.filter(pk=rating.pk).update(
                level=level, rerated_at=now, rerate_comment=comment
            )
        audit(
            actor=actor,
            action="feedback.rating.given" if created else "feedback.rating.rerated",
            obj=rating,
            compound=compound,
            detail={"subject": subject.key, "level": level, "recorded": True},
        )
    rating.refresh_from_db()
    return rating


def _open_loop(rating: Rating, now) -> Loop:
    loop = Loop.objects.create(
        rating=rating,
        compound=rating.compound,
        opened_at=now,
        call_due=add_working_days(now, CALL_DAYS),
        fix_due=add_working_days(now, FIX_DAYS),
    )
    _event(loop, "opened", actor=rating.rated_by, note=rating.comment, at=now)
    label, due = rating.label, timezone.localtime(loop.call_due)
    notify(
        recipients=_staff(rating.compound_id),
        title=lambda: _("差评待回访：%(label)s") % {"label": label},
        body=lambda: _("请在 %(due)s 前回访居民。") % {"due": due.strftime("%m-%d %H:%M")},
        link=reverse("feedback_rating", args=[rating.pk]),
        kind="feedback.unhappy",
    )
    return loop


def rating_rerate(*, actor, rating: Rating, level, comment: str = "") -> Rating:
    """The resident rates again after the fix; the loop closes, the index
    counts the new level."""
    level = _level(level)
    comment = _text(comment, "comment")
    if rating.household_id not in rateables.households_of(actor):
        raise NotFound
    loop = getattr(rating, "loop", None)
    now = timezone.now()
    with transaction.atomic():
        if loop is None or not _step(loop, [Stage.RERATE], stage=Stage.CLOSED, closed_at=now):
            raise Conflict(_("现在不需要复评。"))
        Rating.objects.filter(pk=rating.pk).update(
            level=level, rerated_at=now, rerate_comment=comment
        )
        _event(loop, "rerated", actor=actor, note=f"{level} {comment}".strip(), at=now)
        audit(
            actor=actor,
            action="feedback.rating.rerated",
            obj=rating,
            detail={"from": rating.level, "to": level},
        )
    rating.refresh_from_db()
    return rating
