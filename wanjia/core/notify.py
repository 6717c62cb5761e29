"""Notifications: the in-app inbox first, external channels through the outbox.

``notify()`` is the one entry point for every module. It writes the inbox rows
and, for every configured channel and every recipient with an address on it, an
``OutboxMessage`` in the same transaction; delivery is enqueued only after
commit, so a rolled-back write never sends anything.

Each message is written in its READER's language (``User.language``, else the
site's default), not the language of the request that caused it: ``title`` and
``body`` may be plain text (a person's own words, sent as they are), a lazy
translation, or a callable that builds the text; the last two are rendered once
per language among the recipients, under that language.

Delivery (``outbox_dispatch``) may run in several Huey consumers at once. Each
row is *claimed* before it is sent: the claim counts the attempt and pushes
``next_attempt_at`` one lease ahead, in one atomic step (``SELECT ... FOR UPDATE
SKIP LOCKED`` on PostgreSQL, a conditional UPDATE on SQLite). Only the claimer
sends; its later writes are fenced on the attempt number, so a worker that lost
its lease cannot overwrite another's result. A worker that dies mid-send leaves
the row due again when the lease runs out.
"""

import logging
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.module_loading import import_string

from . import channels as channel_registry
from .audit import audit
from .models import Notification, OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=6)

# What notify() takes as a title or body: plain text, a lazy translation, or a
# callable that returns the text (called under each reader's language).
Text = str | Promise | Callable[[], str]


def notify(
    *,
    recipients,
    title: "Text",
    body: "Text" = "",
    link: str = "",
    kind: str = "",
    channels=None,
) -> list[Notification]:
    """Put a message in each recipient's inbox and queue it on the external
    channels (all configured ones, or only those named in ``channels``).

    Safe to call inside a transaction: nothing leaves the process before commit."""
    users = [u for u in dict.fromkeys(recipients) if u is not None]
    if not users:
        return []
    texts: dict[str, tuple[str, str]] = {}
    for lang in {reader_language(u) for u in users}:
        texts[lang] = (_render(title, lang), _render(body, lang))
    with transaction.atomic():
        notes = Notification.objects.bulk_create(
            [
                Notification(
                    recipient=u,
                    title=texts[reader_language(u)][0][:200],
                    body=texts[reader_language(u)][1],
                    link=link[:300],
                    kind=kind,
                )
                for u in users
            ]
        )
        queued = _queue_external(notes, only=channels)
        if queued:
            transaction.on_commit(partial(_enqueue_dispatch, [m.pk for m in queued]), robust=True)
    return notes


def reader_language(user) -> str:
    """The language ``user`` reads the product in: the one they chose (kept on
    their account when they switch), else the site's default."""
    chosen = (getattr(user, "language", "") or "").lower()
    codes = {code for code, _name in settings.LANGUAGES}
    return chosen if chosen in codes else settings.LANGUAGE_CODE


def _render(text, lang: str) -> str:
    """A message part in ``lang``: callables and lazy translations are rendered
    under that language, plain text is kept as it is."""
    if isinstance(text, Promise):
        with translation.override(lang):
            return str(text)
    if callable(text):
        with translation.override(lang):
            return str(text())
    return str(text)


def _payload(note: Notification) -> dict:
    """What the outbox keeps: the message as it was when sent, not as it may become."""
    user = note.recipient
    return {
        "notification": note.pk,
        "kind": note.kind,
        "title": note.title,
        "body": note.body,
        "link": note.link,
        "url": channel_registry.absolute_link(note.link),
        "recipient": {"id": user.pk, "username": user.username},
        "created_at": timezone.localtime(note.created_at).isoformat(),
    }


def _queue_external(notes: list[Notification], *, only=None) -> list[OutboxMessage]:
    active = channel_registry.enabled_channels(only)
    rows = []
    for note in notes:
        if not note.recipient.is_active:
            continue
        for channel in active:
            target = channel.target_for(note.recipient)
            if target:
                rows.append(
                    OutboxMessage(
                        notification=note,
                        channel=channel.name,
                        target=target[:300],
                        payload=_payload(note),
                    )
                )
    return OutboxMessage.objects.bulk_create(rows) if rows else []


# The Huey task that sends outbox rows, named rather than imported: tasks are the
# outer layer (they import this module to run ``outbox_dispatch``), so importing
# them back would make a cycle. Delivery names its planning task the same way.
DISPATCH_TASK = "wanjia.core.tasks.dispatch_outbox"


def _enqueue_dispatch(ids: list[int]) -> None:
    import_string(DISPATCH_TASK)(ids)


# --- inbox writes ---------------------------------------------------------------


def notification_mark_read(*, actor, notification: Notification) -> bool:
    """Mark one of ``actor``'s own notifications read; False if it already was.

    The filter on ``recipient`` is the permission check: nobody marks another
    person's messages."""
    now = timezone.now()
    done = Notification.objects.filter(
        pk=notification.pk, recipient=actor, read_at__isnull=True
    ).update(read_at=now)
    if done:
        notification.read_at = now
    return bool(done)


def notifications_mark_all_read(*, actor) -> int:
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# --- delivery ---------------------------------------------------------------------


def _lease() -> timedelta:
    """How long a claim holds a row: longer than the slowest send (WeChat may make
    four HTTP calls), so a live worker never loses its row to another."""
    return timedelta(seconds=settings.NOTIFY_TIMEOUT_SECONDS * 5 + 60)


def backoff(attempts: int) -> timedelta:
    """Wait before attempt ``attempts + 1``: base, 2×base, 4×base ... capped at 6 h."""
    base = settings.NOTIFY_RETRY_BASE_SECONDS
    return min(timedelta(seconds=base * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _due(ids):
    due = OutboxMessage.objects.filter(
        status=OutboxStatus.PENDING, next_attempt_at__lte=timezone.now()
    )
    return due if ids is None else due.filter(pk__in=ids)


def _claim_next(ids=None) -> OutboxMessage | None:
    """Claim one due message for this worker, or None when none is left."""
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            message = (
                _due(ids).select_for_update(skip_locked=True).order_by("next_attempt_at", "pk")
            ).first()
            if message is None:
                return None
            lease_end = timezone.now() + _lease()
            OutboxMessage.objects.filter(pk=message.pk).update(
                attempts=F("attempts") + 1, next_attempt_at=lease_end
            )
        message.attempts += 1
        message.next_attempt_at = lease_end
        return message
    return _claim_next_by_update(ids)


def _claim_next_by_update(ids) -> OutboxMessage | None:
    """SQLite has no row locks: the claim is an UPDATE conditional on the row
    being unchanged since we read it; whoever changes it first owns it. A lost
    race is skipped (the winner's lease takes that row out of the next query)."""
    while True:
        candidates = list(
            _due(ids).order_by("next_attempt_at", "pk").values_list("pk", "attempts")[:20]
        )
        if not candidates:
            return None
        for pk, attempts in candidates:
            now = timezone.now()
            won = OutboxMessage.objects.filter(
                pk=pk, status=OutboxStatus.PENDING, attempts=attempts, next_attempt_at__lte=now
            ).update(attempts=attempts + 1, next_attempt_at=now + _lease())
            if won:
                return OutboxMessage.objects.get(pk=pk)


def _finish(message: OutboxMessage, **fields) -> bool:
    """Record the outcome, only if the row is still ours (same attempt, pending)."""
    done = OutboxMessage.objects.filter(
        pk=message.pk, status=OutboxStatus.PENDING, attempts=message.attempts
    ).update(**fields)
    if not done:
        log.warning("outbox %s: claim lost before the result was recorded", message.pk)
    return bool(done)


def _deliver(message: OutboxMessage) -> str:
    """Hand one claimed message to its channel; returns what became of it."""
    channel = channel_registry.get(message.channel)
    if channel is None or not channel.enabled():
        _finish(message, status=OutboxStatus.DISABLED, last_error="渠道未配置或已停用")
        return "disabled"
    try:
        channel.send(message)
    except Exception as exc:  # any failure of any channel is recorded, never lost
        error = str(exc) if isinstance(exc, channel_registry.ChannelError) else repr(exc)
        if not isinstance(exc, channel_registry.ChannelError):
            log.exception("outbox %s: channel %s crashed", message.pk, message.channel)
        return _record_failure(message, error[:2000])
    _finish(message, status=OutboxStatus.SENT, sent_at=timezone.now(), last_error="")
    return "sent"


def _record_failure(message: OutboxMessage, error: str) -> str:
    if message.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
        _finish(message, status=OutboxStatus.FAILED, last_error=error)
        return "failed"
    _finish(message, last_error=error, next_attempt_at=timezone.now() + backoff(message.attempts))
    return "retry"


def outbox_dispatch(*, ids=None, limit: int = 1000, budget_seconds: float | None = None) -> Counter:
    """Send the due pending messages (only those in ``ids`` when given), one
    claim at a time, until none is due, ``limit`` were handled or the time
    budget is spent. Running it twice, or in several workers, sends each once."""
    deadline = time.monotonic() + budget_seconds if budget_seconds else None
    results: Counter = Counter()
    for _ in range(limit):
        if deadline is not None and time.monotonic() > deadline:
            break
        message = _claim_next(ids)
        if message is None:
            break
        results[_deliver(message)] += 1
    if results:
        log.info("outbox dispatch: %s", dict(results))
    return results


def outbox_retry(*, actor, ids) -> int:
    """Put failed or disabled messages back in the queue, due now, with a fresh
    attempt count (an operator fixed the channel). Sent ones stay sent, and pending
    ones are left alone: one may be in a worker's hands right now."""
    retryable = [OutboxStatus.FAILED, OutboxStatus.DISABLED]
    with transaction.atomic():
        rows = OutboxMessage.objects.filter(pk__in=list(ids), status__in=retryable)
        picked = list(rows.values_list("pk", flat=True))
        count = OutboxMessage.objects.filter(pk__in=picked, status__in=retryable).update(
            status=OutboxStatus.PENDING, attempts=0, next_attempt_at=timezone.now()
        )
        if count:
            audit(actor=actor, action="core.outbox.retried", detail={"ids": picked})
            transaction.on_commit(partial(_enqueue_dispatch, picked), robust=True)
    return count
