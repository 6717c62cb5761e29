"""The regulator's supervision pages at 10× the demo's data against the demo's
size, in the same run (issue #18: aim ≤ 1.5× the time; the rollups make it flat).

Setup: one database gets the full demo (``load_demo``: the city, every module's
demo data and twelve months of rollups). A copy of it (the SQLite file copied;
PostgreSQL ``CREATE DATABASE … TEMPLATE``) is then grown to 10×: nine more
compounds for each demo compound (same communities, hence the same streets and
districts, and the same companies: a bigger city's companies manage more
compounds), each with as many buildings, units and households as its model,
and the twelve months of rollup rows a compound has (its model's values,
shifted a little so the ranking differs), then the months' ranking places
are rewritten as the job does. The regulator's pages thus face 10×
the compounds, households and compound rollup rows; the regions, companies and
the group rows (street, district, city, company) stay as they are.

Measure (a child process per database, Django's test client in-process, the
regulator logged in, ``DEBUG`` off): each page is warmed up, then requested
``BENCH_SUP_REQUESTS`` (25) times one after another; the whole round runs
``BENCH_SUP_ROUNDS`` (3) times alternating 1× and 10×, and a page's p50 is the
lower of its rounds' (other work on the shared machine only ever adds time).
``ratio`` = p50 at 10× ÷ p50 at 1×; ``ratio_cpu`` the same for the CPU time
the serving process spends (less swayed by other work on a shared machine;
PostgreSQL's own time is not in it); ``queries_*`` = the SQL statements one
request runs. At 1× the whole demo (25 compounds) fits on one ranking page,
so there the 10× page renders twice the rows; past 50 compounds every page
renders 50. Database as in :func:`bench.harness.database` (set
``DATABASE_URL=postgresql://…/supbench`` for PostgreSQL: databases
``supbench_x1`` and ``supbench_x10``, dropped at the end)."""

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from urllib.parse import urlparse, urlunparse

from bench import harness

MODULE = "bench_supervision"
FACTOR = int(os.environ.get("BENCH_SUP_FACTOR", "10"))
REQUESTS = int(os.environ.get("BENCH_SUP_REQUESTS", "25"))
ROUNDS = int(os.environ.get("BENCH_SUP_ROUNDS", "3"))


# --- child: grow the copy to 10× --------------------------------------------------------


def _grow(factor: int) -> dict:
    import random
    from collections import Counter

    from django.db import transaction

    from wanjia.core.models import Building, Compound
    from wanjia.estates.models import Household, Unit
    from wanjia.supervision.rollups.kpis import INDEX
    from wanjia.supervision.rollups.models import Level, Rollup
    from wanjia.supervision.rollups.services import rank_month

    started = time.perf_counter()
    rng = random.Random("bench-supervision")
    models = list(Compound.objects.order_by("pk"))
    households = Counter(Household.objects.values_list("compound_id", flat=True))
    made = Counter()
    with transaction.atomic():
        new = Compound.objects.bulk_create(
            [
                Compound(
                    name=f"{src.name}{copy + 1}期",
                    code=f"SB{copy:02d}-{src.pk:05d}",
                    kind=src.kind,
                    community_id=src.community_id,
                    company_id=src.company_id,
                    address=src.address,
                    lat=src.lat,
                    lng=src.lng,
                )
                for copy in range(1, factor)
                for src in models
            ],
            batch_size=1000,
        )
        if not new[0].pk:  # backends that do not return ids from bulk inserts
            new = list(Compound.objects.filter(code__startswith="SB").order_by("pk"))
        source = {c.pk: models[n % len(models)] for n, c in enumerate(new)}
        # buildings of 100 households each, one unit per building
        plan = []
        for c in new:
            left = households[source[c.pk].pk]
            number = 0
            while left > 0:
                number += 1
                plan.append((c, number, min(100, left)))
                left -= 100
        buildings = Building.objects.bulk_create(
            [Building(compound_id=c.pk, name=f"{n}栋", floors=6, sort=n) for c, n, _size in plan],
            batch_size=1000,
        )
        if not buildings[0].pk:
            buildings = list(
                Building.objects.filter(compound_id__in=[c.pk for c in new]).order_by("pk")
            )
        units = Unit.objects.bulk_create(
            [Unit(building_id=b.pk, name="1单元") for b in buildings], batch_size=1000
        )
        if not units[0].pk:
            units = list(
                Unit.objects.filter(building_id__in=[b.pk for b in buildings]).order_by("pk")
            )
        rows = []
        for (c, _n, size), b, u in zip(plan, buildings, units, strict=True):
            rows.extend(
                Household(
                    unit_id=u.pk,
                    building_id=b.pk,
                    compound_id=c.pk,
                    room=f"{k // 4 + 1}{k % 4 + 1:02d}",
                    floor=k // 4 + 1,
                    code=f"SBH{u.pk:06d}-{k:03d}",
                )
                for k in range(size)
            )
        Household.objects.bulk_create(rows, batch_size=2000)
        made.update(compounds=len(new), buildings=len(buildings), households=len(rows))
        # the compound rollup rows: each new compound gets its model's, shifted
        by_src: dict[int, list] = {}
        for period, unit, code, value in Rollup.objects.filter(level=Level.COMPOUND).values_list(
            "period", "unit_id", "code", "value"
        ):
            by_src.setdefault(unit, []).append((period, code, value))
        batch = []
        for c in new:
            for period, code, value in by_src.get(source[c.pk].pk, []):
                if value is not None:
                    if code == INDEX:
                        value = round(max(0.0, value - rng.uniform(0, 12)), 1)
                    else:
                        value = value * rng.uniform(0.9, 1.0)
                batch.append(
                    Rollup(
                        period=period, level=Level.COMPOUND, unit_id=c.pk, code=code, value=value
                    )
                )
            if len(batch) >= 20000:
                Rollup.objects.bulk_create(batch, batch_size=2000)
                made["rollup_rows"] += len(batch)
                batch = []
        Rollup.objects.bulk_create(batch, batch_size=2000)
        made["rollup_rows"] += len(batch)
        # and the ranking places the job writes with each month's rollups
        for period in sorted({p for rows in by_src.values() for p, _c, _v in rows}):
            made["rank_rows"] += rank_month(period)
    _analyze()
    return {**made, "grow_s": round(time.perf_counter() - started, 1)}


# --- child: sizes and measuring ---------------------------------------------------------


def _sizes() -> dict:
    from wanjia.core.models import Company, Compound
    from wanjia.estates.models import Household
    from wanjia.supervision.rollups.models import Level, Rollup

    return {
        "compounds": Compound.objects.count(),
        "companies": Company.objects.count(),
        "households": Household.objects.count(),
        "rollup_rows": Rollup.objects.count(),
        "compound_rollup_rows": Rollup.objects.filter(level=Level.COMPOUND).count(),
    }


def _pages() -> list[tuple[str, str]]:
    from wanjia.core.models import Compound, Region
    from wanjia.demo.city import CITY_CODE
    from wanjia.supervision.rollups import selectors
    from wanjia.supervision.rollups.services import current_period

    period = current_period()
    city = Region.objects.get(code=CITY_CODE)
    district = Region.objects.filter(parent=city).order_by("pk").first()
    compound = Compound.objects.order_by("pk").first()  # a demo compound: the same in both
    ranked = selectors.ranking_page(period, city, 1)["page"].paginator.num_pages
    last = max(1, ranked)
    return [
        ("city page /gov/supervision/ (city level)", f"/gov/supervision/?period={period}"),
        (
            "city page /gov/supervision/?area= (a district)",
            f"/gov/supervision/?area={district.pk}&period={period}",
        ),
        ("ranking /gov/supervision/ranking/", f"/gov/supervision/ranking/?period={period}"),
        (
            "ranking, its last page (?page=N)",
            f"/gov/supervision/ranking/?period={period}&page={last}",
        ),
        ("credit companies /gov/credit/", f"/gov/credit/?period={period}"),
        (
            "API /api/v1/supervision/companies",
            f"/api/v1/supervision/companies?period={period}",
        ),
        (
            "API /api/v1/supervision/compounds/{id}/kpis",
            f"/api/v1/supervision/compounds/{compound.pk}/kpis?period={period}",
        ),
    ]


def _measure(requests: int) -> dict:
    from django.db import connection
    from django.test import Client

    from wanjia.core.models import User

    client = Client()
    client.force_login(User.objects.get(username="regulator"))
    out = {}
    for name, path in _pages():
        for _ in range(3):  # warm up: templates, caches, the database's pages
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
        statements = harness.statements_of(client, path)
        timings, cpu = [], []
        for _ in range(requests):
            started, used = time.perf_counter(), time.process_time()
            response = client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - used) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        out[name] = {
            "p50_ms": round(statistics.median(timings), 1),
            "cpu_p50_ms": round(statistics.median(cpu), 1),
            "queries": statements,
            "bytes": len(response.content),
        }
    return {"pages": out, "sizes": _sizes(), "db": connection.vendor}


def _analyze() -> None:
    """PostgreSQL: fresh planner statistics after the bulk load, as autovacuum
    would gather soon after on a live server (without them the planner guesses
    on the copied, then grown, tables)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _check(_unused: int) -> dict:
    from wanjia.supervision.rollups.models import Rollup
    from wanjia.supervision.rollups.services import current_period, periods_back

    months = periods_back(current_period(), 12)
    done = set(Rollup.objects.filter(period__in=months).values_list("period", flat=True))
    missing = [p for p in months if p not in done]
    if missing:  # load_demo computes them; should it ever stop, do it here
        from wanjia.supervision.rollups.services import rollup_month

        for period in missing:
            rollup_month(period)
    _analyze()
    return {"rollup_months_computed_here": len(missing)}


# --- parent -------------------------------------------------------------------------------


@contextmanager
def _copy(env: dict, var: str, tag: str):
    """A copy of the 1× database (and of its var dir: keys, media) to grow."""
    var2 = f"{var}-{tag}"
    shutil.copytree(var, var2)
    url = env.get("DATABASE_URL")
    if not url or env.get("BENCH_DB") != "postgresql":
        try:
            yield {**env, "WANJIA_VAR_DIR": var2}
        finally:
            shutil.rmtree(var2, ignore_errors=True)
        return
    import psycopg

    parts = urlparse(url)
    source = parts.path.lstrip("/")
    name = f"{source.rsplit('_', 1)[0]}_{tag}"
    admin = urlunparse(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
    try:
        yield {
            **env,
            "WANJIA_VAR_DIR": var2,
            "DATABASE_URL": urlunparse(parts._replace(path=f"/{name}")),
        }
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(var2, ignore_errors=True)


def run() -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="wanjia-bench-supervision-") as tmp:
        var = os.path.join(tmp, "var")
        os.mkdir(var)
        env = {**os.environ, "WANJIA_VAR_DIR": var, "DJANGO_SETTINGS_MODULE": "wanjia.settings"}
        env.pop("DEBUG", None)
        with harness.database(env, "x1") as env1:
            harness.migrate(env1)
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, "manage.py", "load_demo"],
                cwd=harness.ROOT,
                env=env1,
                check=True,
                stdout=subprocess.DEVNULL,
            )
            load_s = round(time.perf_counter() - started, 1)
            harness.child(MODULE, env1, "check", "0")
            with _copy(env1, var, f"x{FACTOR}") as env10:
                grown = harness.child(MODULE, env10, "grow", str(FACTOR))
                load = os.getloadavg()[0]
                rounds = []
                for _ in range(ROUNDS):
                    small = harness.child(MODULE, env1, "measure", str(REQUESTS))
                    big = harness.child(MODULE, env10, "measure", str(REQUESTS))
                    rounds.append((small, big))
        rows = []
        small, big = rounds[0]
        for name in small["pages"]:
            p1 = min(r[0]["pages"][name]["p50_ms"] for r in rounds)
            p10 = min(r[1]["pages"][name]["p50_ms"] for r in rounds)
            c1 = min(r[0]["pages"][name]["cpu_p50_ms"] for r in rounds)
            c10 = min(r[1]["pages"][name]["cpu_p50_ms"] for r in rounds)
            rows.append(
                {
                    "name": name,
                    "p50_ms_1x": p1,
                    f"p50_ms_{FACTOR}x": p10,
                    "ratio": round(p10 / p1, 2),
                    "cpu_p50_ms_1x": c1,
                    f"cpu_p50_ms_{FACTOR}x": c10,
                    "ratio_cpu": round(c10 / c1, 2),
                    "queries_1x": small["pages"][name]["queries"],
                    f"queries_{FACTOR}x": big["pages"][name]["queries"],
                    "kb_1x": round(small["pages"][name]["bytes"] / 1024, 1),
                    f"kb_{FACTOR}x": round(big["pages"][name]["bytes"] / 1024, 1),
                    "db": small["db"],
                }
            )
        rows.append(
            {
                "name": "sizes",
                "1x": small["sizes"],
                f"{FACTOR}x": big["sizes"],
                "grow": grown,
                "load_demo_s": load_s,
                "requests": REQUESTS,
                "rounds": ROUNDS,
                "cpus": os.cpu_count(),
                "loadavg": f"{load:.1f}->{os.getloadavg()[0]:.1f}",
            }
        )
        return rows


if __name__ == "__main__":
    harness.child_main({"grow": _grow, "measure": _measure, "check": _check})
