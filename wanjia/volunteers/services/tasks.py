"""Tasks, sign-ups, check-in and check-out, confirmed hours.

A sign-up takes a place with one conditional UPDATE (``taken < places``):
of 30 concurrent sign-ups for 10 places exactly 10 win, on SQLite (writes
serialized) and PostgreSQL (the UPDATE re-reads the row it waited for).
Reminders, the 12-hour auto check-out and the hours confirmation each fire
once by a conditional UPDATE on the field they set."""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wanjia.core.audit import audit
from wanjia.core.errors import Conflict, Forbidden, Invalid
from wanjia.core.notify import notify

from .. import access
from ..models import HoursEntry, Signup, SignupStatus, Task, TeamKind
from .people import volunteer_for

AUTO_CLOSE_AFTER = timedelta(hours=12)
REMIND_BEFORE = timedelta(hours=12)
CHECK_IN_EARLY = timedelta(minutes=30)
MAX_LENGTH = timedelta(hours=12)
MAX_PLACES = 500
PLACES = {
    TeamKind.SORTING: _("菜篮子分拣点"),
    TeamKind.DELIVERY: _("物业服务中心门口"),
    TeamKind.PATROL: _("小区大门岗亭"),
    TeamKind.CARE: _("物业服务中心"),
    TeamKind.EMERGENCY: _("应急物资仓库"),
}


def _clean_task(*, title, kind, place, detail, starts_at, ends_at, places, now) -> dict:
    errors = {}
    title = (title or "").strip()
    place = (place or "").strip()
    detail = (detail or "").strip()
    if not title:
        errors["title"] = _("请填写任务名称。")
    elif len(title) > 100:
        errors["title"] = _("最多 %(n)s 个字。") % {"n": 100}
    if kind not in TeamKind.values:
        errors["kind"] = _("请选择任务类别。")
    if not place:
        errors["place"] = _("请填写集合地点。")
    elif len(place) > 100:
        errors["place"] = _("最多 %(n)s 个字。") % {"n": 100}
    if len(detail) > 300:
        errors["detail"] = _("最多 %(n)s 个字。") % {"n": 300}
    if not isinstance(starts_at, datetime):
        errors["starts_at"] = _("请填写开始时间。")
    elif starts_at < now - timedelta(minutes=5):
        errors["starts_at"] = _("开始时间已经过去了。")
    if not isinstance(ends_at, datetime):
        errors["ends_at"] = _("请填写结束时间。")
    elif isinstance(starts_at, datetime):
        if ends_at <= starts_at:
            errors["ends_at"] = _("结束时间须晚于开始时间。")
        elif ends_at - starts_at > MAX_LENGTH:
            errors["ends_at"] = _("一次任务最长 12 小时，请分成几个班次。")
    if not isinstance(places, int) or isinstance(places, bool) or not 1 <= places <= MAX_PLACES:
        errors["places"] = _("名额应为 1 到 %(n)s 之间的整数。") % {"n": MAX_PLACES}
    if errors:
        raise Invalid(errors)
    return {"title": title, "place": place, "detail": detail}


def task_post(
    *,
    actor,
    compound,
    title,
    kind,
    starts_at,
    ends_at,
    places,
    place="",
    detail="",
    source="",
) -> Task:
    """Post a task; its owner (who confirms the hours) is the actor."""
    if not access.can_post(actor, compound):
        raise Forbidden
    now = timezone.now()
    if not place and kind in TeamKind.values:
        place = str(PLACES[kind])
    clean = _clean_task(
        title=title,
        kind=kind,
        place=place,
        detail=detail,
        starts_at=starts_at,
        ends_at=ends_at,
        places=places,
        now=now,
    )
    source = (source or "")[:60]
    with transaction.atomic():
        task = Task.objects.create(
            compound=compound,
            kind=kind,
            starts_at=starts_at,
            ends_at=ends_at,
            places=places,
            owner=actor,
            source=source,
            **clean,
        )
        audit(
            actor=actor,
            action="volunteers.task.posted",
            obj=task,
            compound=compound,
            detail={"places": places, "source": source},
        )
    return task


def post_task_intent(
    *, actor, compound, title, kind, starts_at, ends_at, places, source=None, place=""
) -> int:
    """``volunteers.post_task``: another module asks for volunteers (a sorting
    shift for a market window, a patrol round...). Returns the task's id;
    refuses as ``task_post`` does (403 for a role that may not post, 422 with
    field errors)."""
    task = task_post(
        actor=actor,
        compound=compound,
        title=title,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        places=places,
        place=place,
        source=source or "",
    )
    return task.pk


def task_cancel(*, actor, task: Task) -> Task:
    if not access.may_confirm(actor, task):
        raise Forbidden
    now = timezone.now()
    if task.starts_at <= now:
        raise Conflict(_("任务已经开始，不能取消。"))
    with transaction.atomic():
        if not Task.objects.filter(pk=task.pk, cancelled_at=None).update(cancelled_at=now):
            raise Conflict(_("任务已经取消了。"))
        task.refresh_from_db()
        audit(actor=actor, action="volunteers.task.cancelled", obj=task, compound=task.compound)
        users = [
            s.volunteer.user
            for s in task.signups.filter(status=SignupStatus.SIGNED).select_related(
                "volunteer__user"
            )
            if s.volunteer.user_id
        ]
        if users:
            notify(
                recipients=users,
                title=_("志愿任务已取消：%(t)s") % {"t": task.title},
                link=reverse("volunteers_h5_mine"),
                kind="volunteers.cancelled",
            )
    return task


def signup(*, actor, task: Task) -> Signup:
    """Take one place of ``task`` for the actor; 409 when full, started,
    cancelled or already signed up. A withdrawn sign-up may sign up again."""
    compound = task.compound
    if not access.can_serve(actor, compound):
        raise Forbidden
    now = timezone.now()
    if task.cancelled_at is not None:
        raise Conflict(_("任务已经取消了。"))
    if task.starts_at <= now:
        raise Conflict(_("任务已经开始，不能再报名。"))
    volunteer = volunteer_for(actor, compound)
    if volunteer is None:
        raise Forbidden
    try:
        with transaction.atomic():
            existing = Signup.objects.filter(task=task, volunteer=volunteer).first()
            if existing is not None and existing.status == SignupStatus.SIGNED:
                raise Conflict(_("您已经报名了这个任务。"))
            won = Task.objects.filter(pk=task.pk, taken__lt=F("places"), cancelled_at=None).update(
                taken=F("taken") + 1
            )
            if not won:
                raise Conflict(_("名额已满。"))
            if existing is not None:
                back = Signup.objects.filter(pk=existing.pk, status=SignupStatus.WITHDRAWN).update(
                    status=SignupStatus.SIGNED, signed_at=now, withdrawn_at=None, reminded_at=None
                )
                if not back:
                    raise Conflict(_("您已经报名了这个任务。"))
                row = Signup.objects.get(pk=existing.pk)
            else:
                row = Signup.objects.create(
                    task=task, volunteer=volunteer, compound=compound, signed_at=now
                )
            audit(actor=actor, action="volunteers.signed_up", obj=task, compound=compound)
    except IntegrityError:  # the same volunteer's second tap at the same moment
        raise Conflict(_("您已经报名了这个任务。")) from None
    task.refresh_from_db()
    return row


def _own(actor, signup_row: Signup) -> None:
    v = signup_row.volunteer
    if v.user_id != actor.pk or not access.can_serve(actor, signup_row.task.compound):
        raise Forbidden


def withdraw(*, actor, signup: Signup) -> Signup:
    """Give the place back before the task starts."""
    _own(actor, signup)
    task = signup.task
    now = timezone.now()
    if task.starts_at <= now:
        raise Conflict(_("任务已经开始，不能再退出；如不能到场请联系负责人。"))
    with transaction.atomic():
        won = Signup.objects.filter(
            pk=signup.pk, status=SignupStatus.SIGNED, checked_in_at=None
        ).update(status=SignupStatus.WITHDRAWN, withdrawn_at=now)
        if not won:
            raise Conflict(_("您已经退出了这个任务。"))
        Task.objects.filter(pk=task.pk, taken__gt=0).update(taken=F("taken") - 1)
        audit(actor=actor, action="volunteers.withdrew", obj=task, compound=task.compound)
    signup.refresh_from_db()
    return signup


def check_in(*, actor, signup: Signup, now=None) -> Signup:
    _own(actor, signup)
    task = signup.task
    now = now or timezone.now()
    if signup.status != SignupStatus.SIGNED:
        raise Conflict(_("您已经退出了这个任务。"))
    if task.cancelled_at is not None:
        raise Conflict(_("任务已经取消了。"))
    if now < task.starts_at - CHECK_IN_EARLY:
        raise Conflict(
            _("还没到签到时间（开始前 30 分钟起可以签到）。"),
        )
    if now > task.ends_at:
        raise Conflict(_("任务已经结束，不能再签到；请联系负责人确认时长。"))
    with transaction.atomic():
        won = Signup.objects.filter(
            pk=signup.pk, status=SignupStatus.SIGNED, checked_in_at=None
        ).update(checked_in_at=now)
        if not won:
            raise Conflict(_("您已经签到过了。"))
        audit(actor=actor, action="volunteers.checked_in", obj=task, compound=task.compound)
    signup.refresh_from_db()
    return signup


def check_out(*, actor, signup: Signup, now=None) -> Signup:
    _own(actor, signup)
    task = signup.task
    now = now or timezone.now()
    if signup.checked_in_at is None:
        raise Conflict(_("请先签到。"))
    with transaction.atomic():
        won = Signup.objects.filter(
            pk=signup.pk, checked_in_at__isnull=False, checked_out_at=None
        ).update(checked_out_at=now)
        if not won:
            raise Conflict(_("您已经签退过了。"))
        audit(actor=actor, action="volunteers.checked_out", obj=task, compound=task.compound)
    signup.refresh_from_db()
    return signup


def sweep_open_checkins(*, now=None) -> int:
    """A check-in left open for 12 hours is closed at check-in + 12 h and
    flagged, so its owner looks at it before confirming. Each closes once."""
    now = now or timezone.now()
    closed = 0
    rows = Signup.objects.filter(
        checked_in_at__isnull=False,
        checked_out_at=None,
        checked_in_at__lte=now - AUTO_CLOSE_AFTER,
    ).values_list("pk", "checked_in_at", "compound_id", "task_id")
    for pk, at, compound_id, task_id in rows:
        won = Signup.objects.filter(pk=pk, checked_out_at=None).update(
            checked_out_at=at + AUTO_CLOSE_AFTER, auto_closed=True
        )
        if won:
            closed += 1
            audit(
                actor=None,
                action="volunteers.auto_closed",
                compound=None,
                detail={"signup": pk, "task": task_id, "compound": compound_id},
            )
    return closed


def reminders_send(*, now=None) -> int:
    """Tell each signed-up volunteer (with a login) once, within 12 hours of
    the start, where and when to be."""
    now = now or timezone.now()
    due = (
        Signup.objects.filter(
            status=SignupStatus.SIGNED,
            reminded_at=None,
            task__cancelled_at=None,
            task__starts_at__gt=now,
            task__starts_at__lte=now + REMIND_BEFORE,
            volunteer__user__isnull=False,
        )
        .select_related("task", "volunteer__user")
        .order_by("id")
    )
    sent = 0
    for row in due:
        if not Signup.objects.filter(pk=row.pk, reminded_at=None).update(reminded_at=now):
            continue
        task = row.task
        start = timezone.localtime(task.starts_at)
        notify(
            recipients=[row.volunteer.user],
            title=lambda t=task, s=start: (
                _("志愿任务提醒：%(t)s %(at)s") % {"t": t.title, "at": s.strftime("%m-%d %H:%M")}
            ),
            body=lambda t=task: _("集合地点：%(p)s。到场后请在手机上签到。") % {"p": t.place},
            link=reverse("volunteers_h5_mine"),
            kind="volunteers.reminder",
        )
        sent += 1
    return sent


def hours_confirm(*, actor, signup: Signup, minutes) -> HoursEntry:
    """The task's owner confirms the minutes served; only now do they enter
    the ledger. Confirmed once."""
    task = signup.task
    if not access.may_confirm(actor, task):
        raise Forbidden
    if signup.status != SignupStatus.SIGNED:
        raise Conflict(_("这位志愿者已经退出了这个任务。"))
    now = timezone.now()
    if task.starts_at > now:
        raise Conflict(_("任务还没开始，不能确认时长。"))
    limit = task.planned_minutes + 120
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= limit:
        raise Invalid({"minutes": _("时长应为 1 到 %(n)s 分钟之间的整数。") % {"n": limit}})
    with transaction.atomic():
        won = Signup.objects.filter(pk=signup.pk, confirmed_at=None).update(
            minutes=minutes, confirmed_at=now, confirmed_by=actor
        )
        if not won:
            raise Conflict(_("这条时长已经确认过了。"))
        entry = HoursEntry.objects.create(
            volunteer=signup.volunteer,
            compound=task.compound,
            signup=signup,
            minutes=minutes,
            day=timezone.localdate(task.starts_at),
            what=task.title,
            confirmed_by=actor,
            created_at=now,
        )
        audit(
            actor=actor,
            action="volunteers.hours.confirmed",
            obj=task,
            compound=task.compound,
            detail={"signup": signup.pk, "minutes": minutes},
        )
    signup.refresh_from_db()
    return entry


def default_minutes(signup: Signup) -> int:
    """What the confirm form proposes: the time checked in, at most the
    planned length; the planned length for a flagged or missing check-out."""
    planned = signup.task.planned_minutes
    worked = signup.worked_minutes
    if worked is None or signup.auto_closed:
        return planned
    return max(1, min(worked, planned))
