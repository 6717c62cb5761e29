"""`make bench-city`: each main page's and API's time on two generated cities
side by side — 100 k and 1 M households (``manage.py generate_city``) — and the
ratio (aim ≤ 1.5× at 10× the data).

    BENCH_CITY_SMALL=postgresql://postgres@127.0.0.1:5432/citygen_100k \\
    BENCH_CITY_LARGE=postgresql://postgres@127.0.0.1:5432/citygen_1m \\
        .venv/bin/python -m bench.city

Generate the two databases first (docs/city-scale.md), and point
``BENCH_CITY_VAR_DIR`` at the ``WANJIA_VAR_DIR`` they were generated with
(its keys decrypt the residents' encrypted fields). Each city is measured
in a child process of its own with Django's test client (no HTTP, no server:
the time is the view's and the database's), as the regulator and as the
manager of the city's last compound (its rows come last in every table,
where a plan that walks an id index and filters pays most), alternating the two cities for
``BENCH_CITY_ROUNDS`` (3) rounds of ``BENCH_CITY_REQUESTS`` (15) requests and
keeping each page's lowest p50. The number of SQL statements per page is
printed for both sizes: a page whose count grows with the city is a page
that loops over it. Results go to ``bench/out/city.json``."""

import json
import os
import statistics
import sys
import time
from pathlib import Path

from . import harness

SMALL = os.environ.get("BENCH_CITY_SMALL", "postgresql://postgres@127.0.0.1:5432/citygen_100k")
LARGE = os.environ.get("BENCH_CITY_LARGE", "postgresql://postgres@127.0.0.1:5432/citygen_1m")
ROUNDS = int(os.environ.get("BENCH_CITY_ROUNDS", "3"))
REQUESTS = int(os.environ.get("BENCH_CITY_REQUESTS", "15"))
MODULE = "city"


def _people():
    """The city's regulator (widest region) and the manager of its last compound."""
    from wanjia.core.models import Compound, Membership, ScopeType
    from wanjia.core.roles import Role

    regulator = (
        Membership.objects.filter(role=Role.REGULATOR, scope_type=ScopeType.REGION)
        .select_related("user", "region")
        .order_by("region__path", "pk")
        .first()
    )
    compound = Compound.objects.order_by("pk").last()
    manager = (
        Membership.objects.filter(role=Role.COMPOUND_MANAGER, compound=compound)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if regulator is None or manager is None:
        raise SystemExit("no regulator or compound manager: generate the city first")
    return regulator.user, manager.user, compound, regulator.region


def _pages(compound, region) -> list[tuple[str, str, str]]:
    """(who, name, path): what a regulator and a compound manager open most."""
    from wanjia.supervision.rollups.services import current_period

    period = current_period()
    return [
        ("regulator", "regulator's home /gov/", "/gov/"),
        (
            "regulator",
            "supervision figures /gov/supervision/",
            f"/gov/supervision/?period={period}",
        ),
        (
            "regulator",
            "compound ranking /gov/supervision/ranking/",
            f"/gov/supervision/ranking/?period={period}",
        ),
        ("regulator", "company credit /gov/credit/", f"/gov/credit/?period={period}"),
        ("regulator", "wall screen (live part) /gov/wall/?part=live", "/gov/wall/?part=live"),
        (
            "regulator",
            "API /api/v1/supervision/companies",
            f"/api/v1/supervision/companies?period={period}",
        ),
        ("regulator", "regulator's workbench /console/", "/console/"),
        (
            "regulator",
            "the area's residents /console/find/estates/?region=",
            f"/console/find/estates/?region={region.pk}",
        ),
        ("regulator", "audit log /console/audit/", "/console/audit/"),
        ("manager", "baseline API /api/v1/me", "/api/v1/me"),
        ("manager", "workbench /console/", "/console/"),
        ("manager", "compound page /console/compounds/{id}/", f"/console/compounds/{compound.pk}/"),
        ("manager", "API /api/v1/compounds/{id}", f"/api/v1/compounds/{compound.pk}"),
        ("manager", "resident search /console/find/estates/?q=", "/console/find/estates/?q=1栋"),
        (
            "manager",
            "API residents of the compound",
            f"/api/v1/residents?compound={compound.pk}&limit=50",
        ),
        ("manager", "ticket queue /console/tickets/c/{id}/", f"/console/tickets/c/{compound.pk}/"),
        (
            "manager",
            "KPIs /api/v1/supervision/compounds/{id}/kpis",
            f"/api/v1/supervision/compounds/{compound.pk}/kpis?period={period}",
        ),
    ]


def _measure(requests: int) -> dict:
    from django.db import connection
    from django.test import Client

    from wanjia.core.models import Compound
    from wanjia.estates.models import Household

    regulator, manager, compound, region = _people()
    clients = {}
    for who, user in (("regulator", regulator), ("manager", manager)):
        clients[who] = Client()
        clients[who].force_login(user)
    out = {}
    for who, name, path in _pages(compound, region):
        client = clients[who]
        status = None
        for _ in range(2):  # warm up: templates, caches, the database's pages
            status = client.get(path).status_code
        if status != 200:
            out[name] = {"status": status}
            continue
        statements = harness.statements_of(client, path)
        timings = []
        for _ in range(requests):
            started = time.perf_counter()
            client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
        out[name] = {"p50_ms": round(statistics.median(timings), 1), "queries": statements}
    sizes = {
        "compounds": Compound.objects.count(),
        "households": Household.objects.count(),
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        sizes["db_gb"] = round(cursor.fetchone()[0] / 1024**3, 2)
    return {"pages": out, "sizes": sizes}


def main() -> int:
    base = {**os.environ, "DJANGO_SETTINGS_MODULE": "wanjia.settings"}
    base.pop("DEBUG", None)
    # the pages are timed, not the per-user search limit (60 a minute, shared by
    # both cities' children through the file cache)
    base["RESIDENT_SEARCH_PER_MINUTE"] = "1000000"
    if os.environ.get("BENCH_CITY_VAR_DIR"):
        base["WANJIA_VAR_DIR"] = os.environ["BENCH_CITY_VAR_DIR"]
    small_env = {**base, "DATABASE_URL": SMALL}
    large_env = {**base, "DATABASE_URL": LARGE}
    rounds = []
    for _ in range(ROUNDS):
        rounds.append(
            (
                harness.child(MODULE, small_env, "measure", str(REQUESTS)),
                harness.child(MODULE, large_env, "measure", str(REQUESTS)),
            )
        )
    small, large = rounds[0]
    rows = []
    print(f"{'page':58} {'small ms':>9} {'large ms':>9} {'ratio':>6} {'SQL':>9}")
    for name in small["pages"]:
        a, b = small["pages"][name], large["pages"].get(name, {})
        # a page that answered anything but 200 in any round is reported, not timed
        failed = [
            (r[0]["pages"][name].get("status"), r[1]["pages"].get(name, {}).get("status"))
            for r in rounds
            if "p50_ms" not in r[0]["pages"][name]
            or "p50_ms" not in r[1]["pages"].get(name, {})
        ]
        if failed:
            rows.append({"name": name, "status": failed})
            print(f"{name:58} status (small, large) by round: {failed}")
            continue
        p_small = min(r[0]["pages"][name]["p50_ms"] for r in rounds)
        p_large = min(r[1]["pages"][name]["p50_ms"] for r in rounds)
        row = {
            "name": name,
            "small_ms": p_small,
            "large_ms": p_large,
            "ratio": round(p_large / p_small, 2),
            "queries": [a["queries"], b["queries"]],
        }
        rows.append(row)
        print(
            f"{name:58} {p_small:9.1f} {p_large:9.1f} {row['ratio']:6.2f} "
            f"{a['queries']:>4}/{b['queries']:<4}"
        )
    print(f"small: {small['sizes']}  large: {large['sizes']}  load {os.getloadavg()[0]:.1f}")
    out = Path(__file__).parent / "out"
    out.mkdir(exist_ok=True)
    (out / "city.json").write_text(
        json.dumps({"sizes": [small["sizes"], large["sizes"]], "rows": rows}, indent=2)
    )
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1:
        harness.child_main({"measure": _measure})
    else:
        sys.exit(main())
