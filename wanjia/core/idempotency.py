"""Idempotent writes: a client that retries a request (after a dropped
connection, a double tap, a timeout) with the same ``Idempotency-Key`` gets the
first response back and nothing is done twice.

    status, body, replayed = idempotent(
        user=request.user, scope="market.order.place", key=key,
        payload=payload.model_dump(mode="json"),
        run=lambda: (201, do_the_write()),
    )

Contract (the one Stripe and the IETF draft use):
- no key, or a malformed one → ``IdempotencyKeyMissing`` (answer 400);
- same user, scope and key with the same payload → the stored status and body;
- same key with a different payload → ``IdempotencyKeyReused`` (answer 422);
- the key row is inserted in the same transaction as the write, so only a write
  that committed is remembered: a refused attempt (409 out of stock, 422 bad
  input) raises, rolls back and may be retried with the same key.

Concurrent retries: on PostgreSQL the second insert of the same key waits on
the unique index until the first transaction ends, then either finds the
committed answer (its ``ON CONFLICT DO NOTHING`` inserts nothing) or, if the
first rolled back, inserts the key and runs the write itself. On
SQLite transactions are serialized (IMMEDIATE), with the same outcome.
Keys are kept for ``KEEP`` and then purged (``idempotency_purge``)."""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Status

from .models import IdempotencyKey

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 100
KEEP = timedelta(hours=24)


class IdempotencyKeyMissing(Exception):
    message = _("请在请求头 Idempotency-Key 中提供本次提交的唯一编号（1–100 个可见字符）。")


class IdempotencyKeyReused(Exception):
    message = _("此 Idempotency-Key 已用于另一份不同的提交，请为新的提交换一个编号。")


def clean_key(raw: str | None) -> str:
    """The key as given, or ``IdempotencyKeyMissing`` when absent or malformed
    (only visible ASCII: the key is compared byte for byte)."""
    key = (raw or "").strip()
    if not key or len(key) > MAX_KEY_LENGTH or not all(33 <= ord(c) < 127 for c in key):
        raise IdempotencyKeyMissing
    return key


def fingerprint(payload: Any) -> str:
    """A stable hash of the parsed request: key order and spacing do not count."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def idempotent(
    *,
    user,
    scope: str,
    key: str | None,
    payload: Any,
    run: Callable[[], tuple[int, Any]],
    last: Callable[[], None] | None = None,
) -> tuple[int, Any, bool]:
    """Run ``run`` at most once per (user, scope, key); return ``(status, body,
    replayed)``. ``body`` must be JSON-serialisable (it is stored).

    ``last``: writes that lock rows every request wants (an offer's stock),
    run after the answer is stored as the transaction's last statements, so
    those rows stay locked only until the commit. If it raises, everything
    rolls back as for ``run``: nothing is done and the key is not kept."""
    return _once(
        user=user, scope=scope, key=clean_key(key), digest=fingerprint(payload), run=run, last=last
    )


def _once(*, user, scope, key, digest, run, last=None) -> tuple[int, Any, bool]:
    with transaction.atomic():
        claimed = _claim(user=user, scope=scope, key=key, digest=digest)
        if claimed is None:
            return _replay(user=user, scope=scope, key=key, digest=digest)
        status, body = run()
        _store(claimed, status, body)
        if last is not None:
            last()
    return status, body, False


def _claim(*, user, scope: str, key: str, digest: str) -> int | None:
    """Insert the key unless it exists; the new row's id when this call
    inserted it, else None.

    ``INSERT ... ON CONFLICT DO NOTHING RETURNING`` (PostgreSQL, SQLite ≥ 3.35)
    does in one statement what an INSERT in a savepoint and a caught
    IntegrityError would do in three, on the hottest write path there is."""
    table = connection.ops.quote_name(IdempotencyKey._meta.db_table)
    columns = ", ".join(
        connection.ops.quote_name(c)
        for c in ("user_id", "scope", "key", "request_hash", "status_code", "created_at")
    )
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, 0, %s) "  # noqa: S608 (names are ours)
            "ON CONFLICT DO NOTHING RETURNING id",
            [user.pk, scope, key, digest, now],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _store(pk: int, status: int, body: Any) -> None:
    """The answer on the claimed row, by its id: plain SQL, as the claim (the
    ORM's UPDATE compiled a three-column filter on every write)."""
    field = IdempotencyKey._meta.get_field("response")
    table = connection.ops.quote_name(IdempotencyKey._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status_code = %s, response = %s WHERE id = %s",  # noqa: S608
            [status, field.get_db_prep_save(body, connection), pk],
        )


def _replay(*, user, scope: str, key: str, digest: str) -> tuple[int, Any, bool]:
    first = IdempotencyKey.objects.get(user=user, scope=scope, key=key)
    if first.request_hash != digest:
        raise IdempotencyKeyReused
    return first.status_code, first.response, True


@dataclass(frozen=True)
class Once:
    """One write's key, for a hot path that keeps it in the very PostgreSQL
    statement that makes the write (``WITH w AS (INSERT ... RETURNING ...)
    INSERT INTO <keys> SELECT ... FROM w``), where :func:`idempotent` would
    send a claim, the write, the answer and a savepoint's worth of round
    trips (bench/bench_bookings.py). The contract is :func:`idempotent`'s:

    - the write's conditions include :meth:`unused_sql`, so a retry writes
      nothing and :meth:`kept` answers it;
    - the key row is a plain INSERT (no ON CONFLICT): a concurrent retry
      waits on the unique index and its whole statement fails when the first
      commits; the caller then answers with :meth:`kept`."""

    user: Any
    scope: str
    key: str
    digest: str

    @classmethod
    def of(cls, *, user, scope: str, key: str | None, payload: Any) -> "Once":
        """Raises ``IdempotencyKeyMissing`` as :func:`idempotent` does."""
        return cls(user, scope, clean_key(key), fingerprint(payload))

    def unused_sql(self) -> tuple[str, list]:
        """A condition true while the key is not kept (in the statement's snapshot)."""
        table = connection.ops.quote_name(IdempotencyKey._meta.db_table)
        return (
            f"NOT EXISTS (SELECT 1 FROM {table} WHERE user_id = %s AND scope = %s AND key = %s)",  # noqa: S608
            [self.user.pk, self.scope, self.key],
        )

    def insert_from(
        self, source: str, status: int, body_sql: str, body_params: tuple = ()
    ) -> tuple[str, list]:
        """The key row with its answer (HTTP ``status``, the JSON SQL
        expression ``body_sql`` with its ``body_params``), inserted for the
        one row of ``source``."""
        table = connection.ops.quote_name(IdempotencyKey._meta.db_table)
        columns = ", ".join(
            connection.ops.quote_name(c)
            for c in ("user_id", "scope", "key", "request_hash", "status_code", "created_at")
        )
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        return (
            f"INSERT INTO {table} ({columns}, response)"  # noqa: S608 (names are ours)
            f" SELECT %s, %s, %s, %s, %s, %s, {body_sql} FROM {source}",
            [self.user.pk, self.scope, self.key, self.digest, status, now, *body_params],
        )

    def run(self, run: Callable[[], tuple[int, Any]], last=None) -> tuple[int, Any, bool]:
        """:func:`idempotent` for this key (the other databases, the other paths)."""
        return _once(
            user=self.user, scope=self.scope, key=self.key, digest=self.digest, run=run, last=last
        )

    def kept(self) -> tuple[int, Any, bool] | None:
        """The first answer when the key is kept (``IdempotencyKeyReused``
        when it came with another request), else None."""
        try:
            return _replay(user=self.user, scope=self.scope, key=self.key, digest=self.digest)
        except IdempotencyKey.DoesNotExist:
            return None


def idempotency_purge(*, older_than: timedelta = KEEP) -> int:
    """Forget keys older than ``older_than``; returns how many."""
    cutoff = timezone.now() - older_than
    deleted, _detail = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def answer_once(request, response, *, scope: str, payload: Any, run, required: bool = False):
    """The Idempotency-Key contract of a write endpoint, in one place: without
    the header (where it is optional) ``run`` runs; with it, ``run`` runs at
    most once per (caller, ``scope``, key) and a retry gets the first answer
    with ``Idempotent-Replayed: true``. A missing (``required``) or malformed
    key is a 400 and a key reused with another body a 422, both naming the
    header as the field. Returns the ninja ``Status`` to return."""
    key = request.headers.get(HEADER)
    if key is None and not required:
        return Status(*run())
    try:
        status, body, replayed = idempotent(
            user=request.auth, scope=scope, key=key, payload=payload, run=run
        )
    except (IdempotencyKeyMissing, IdempotencyKeyReused) as exc:
        code = 400 if isinstance(exc, IdempotencyKeyMissing) else 422
        msg = str(exc.message)
        return Status(code, {"detail": msg, "errors": [{"field": HEADER, "message": msg}]})
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return Status(status, body)
