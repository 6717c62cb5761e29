"""Chunks in order, each in its own transaction with its row in
``citygen_chunk``; a run that is killed continues where it stopped."""

import json
import time
from collections import Counter
from datetime import date

from django.core.management.base import CommandError
from django.db import connection, transaction

from wanjia.core.models import Region
from wanjia.estates.figures import tally_refresh

from . import base, compound, events
from .copy import _SPECS, Batch
from .plan import CityPlan, Ids


def _ensure_tables(cur) -> None:
    cur.execute(
        "CREATE TABLE IF NOT EXISTS citygen_run (id int PRIMARY KEY, seed text NOT NULL,"
        " households int NOT NULL, clock date NOT NULL, events double precision NOT NULL,"
        " started_at timestamptz NOT NULL DEFAULT now())"
    )
    cur.execute(
        "CREATE TABLE IF NOT EXISTS citygen_chunk (chunk int PRIMARY KEY, rows jsonb NOT NULL,"
        " seconds double precision NOT NULL, done_at timestamptz NOT NULL DEFAULT now())"
    )


def settle_plan(*, seed: str, households: int, clock: date | None, events: float) -> CityPlan:
    """The plan of this database: the one recorded by an earlier run (which a
    resume must match), or a new one recorded now."""
    if connection.vendor != "postgresql":
        raise CommandError(
            "generate_city writes through PostgreSQL's COPY: set DATABASE_URL to a "
            f"PostgreSQL database (this one is {connection.vendor})"
        )
    with connection.cursor() as cur:
        _ensure_tables(cur)
        cur.execute("SELECT seed, households, clock, events FROM citygen_run WHERE id = 1")
        row = cur.fetchone()
        if row:
            old = CityPlan(seed=row[0], households=row[1], clock=row[2], events=row[3])
            asked = (seed, households, events)
            if asked != (old.seed, old.households, old.events) or (clock and clock != old.clock):
                raise CommandError(
                    f"this database holds a city of seed {old.seed!r}, {old.households} "
                    f"households, clock {old.clock}, events {old.events}; run with those "
                    "to resume it, or generate into an empty database"
                )
            return old
        if Region.objects.exists():
            raise CommandError(
                "this database already has regions (a demo or real city): "
                "generate into a freshly migrated, empty database"
            )
        new = CityPlan(seed=seed, households=households, clock=clock or date.today(), events=events)
        cur.execute(
            "INSERT INTO citygen_run (id, seed, households, clock, events)"
            " VALUES (1, %s, %s, %s, %s)",
            [new.seed, new.households, new.clock, new.events],
        )
        return new


def _done() -> set[int]:
    with connection.cursor() as cur:
        cur.execute("SELECT chunk FROM citygen_chunk")
        return {r[0] for r in cur.fetchall()}


def _commit(chunk: int, batch: Batch, started: float) -> dict:
    with transaction.atomic(), connection.cursor() as cur:
        # A crash loses the last few chunks whole (their citygen_chunk rows with
        # them), which the next run writes again: no need to wait for the disk.
        cur.execute("SET LOCAL synchronous_commit TO off")
        written = batch.write(cur.cursor)
        cur.execute(
            "INSERT INTO citygen_chunk (chunk, rows, seconds) VALUES (%s, %s, %s)",
            [chunk, json.dumps(written), time.perf_counter() - started],
        )
    return written


def run(plan: CityPlan, *, log, limit: int | None = None) -> dict:
    """Write every chunk not written yet (at most ``limit`` compounds this
    call, for tests of resuming); returns the summary."""
    t0 = time.perf_counter()
    done = _done()
    city = base.build(plan)
    made = Counter()
    if 0 not in done:
        made.update(_commit(0, city.batch, t0))
        log(f"city: {plan.districts} districts, {plan.streets} streets, "
            f"{plan.communities} communities, {plan.companies} companies")  # fmt: skip
    todo = [i for i in range(plan.compounds) if i + 1 not in done]
    if limit is not None:
        todo = todo[:limit]
    log(f"compounds: {plan.compounds}, {plan.compounds - len(todo)} already written, "
        f"{len(todo)} to write")  # fmt: skip
    step = max(1, len(todo) // 20)
    for k, i in enumerate(todo, 1):
        started = time.perf_counter()
        batch = Batch(plan.end)
        ids = Ids(i + 1)
        extra = Counter()
        place = compound.build(city, i, batch, ids, extra)
        events.generate(city, place, batch, ids)
        made.update(_commit(i + 1, batch, started))
        if k % step == 0 or k == len(todo):
            spent = time.perf_counter() - t0
            log(f"  {k}/{len(todo)} compounds, {sum(made.values()):,} rows, {spent:.0f}s, "
                f"eta {spent / k * (len(todo) - k):.0f}s")  # fmt: skip
    finished = not (set(range(1, plan.compounds + 1)) - _done())
    if finished and made:
        _finish()
    return _summary(time.perf_counter() - t0, finished)


def _finish() -> None:
    """Sequences past the explicit ids; fresh statistics for the planner."""
    with connection.cursor() as cur:
        for s in _SPECS.values():
            pk = s.model._meta.pk.column
            cur.execute(
                # names from the models' _meta, not from input
                f"SELECT setval(pg_get_serial_sequence(%s, %s), "  # noqa: S608
                f'COALESCE((SELECT max("{pk}") FROM "{s.table}"), 1))',
                [f'"{s.table}"', pk],
            )
        cur.execute("ANALYZE")
    tally_refresh()  # the registry's counts per compound, as the nightly recount keeps them


def _summary(seconds: float, finished: bool) -> dict:
    with connection.cursor() as cur:
        cur.execute("SELECT rows, seconds FROM citygen_chunk")
        rows, spent = Counter(), 0.0
        for r, s in cur.fetchall():
            rows.update(r if isinstance(r, dict) else json.loads(r))
            spent += s
        cur.execute("SELECT pg_database_size(current_database())")
        size = cur.fetchone()[0]
    return {"rows": dict(rows), "seconds": seconds, "chunk_seconds": spent,
            "bytes": size, "finished": finished}  # fmt: skip
