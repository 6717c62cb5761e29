"""Scale out (#19): two app processes behind a round-robin proxy and two Huey
consumers (``tools/scale_out.py``), on PostgreSQL and a throwaway Redis —
residents' orders and a manager's session spread over both apps with no sticky
sessions, an emergency opened twice with one key makes one event whose job
runs once, and each periodic tick runs once although both consumers schedule.

PostgreSQL only (what a city runs); ``make faults`` runs it in CI."""

import json
import os
import re
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from http.cookiejar import CookieJar

import pytest

from tools.scale_out import Proxy

from .harness import SHOP, Project, Redis, Server

pytestmark = pytest.mark.faults

SETUP = (
    SHOP
    + """
from wanjia.core.testing import PASSWORD
out.update(
    regulator_token=token_issue(actor=w.regulator),
    manager=w.manager_a.username,
    password=PASSWORD,
    compounds=[w.a.pk, w.b.pk],
)
"""
)


def _call(url, *, body=None, token="", key="", method=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if key:
        headers["Idempotency-Key"] = key
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=60) as res:  # noqa: S310 (loopback)
            return res.status, json.loads(res.read() or b"{}"), res.headers["X-Upstream"]
    except urllib.error.HTTPError as exc:
        return exc.code, {}, exc.headers.get("X-Upstream")


def test_two_apps_and_two_consumers_serve_without_sticky_sessions_or_doubles(tmp_path):
    if not os.environ.get("DATABASE_URL"):
        pytest.skip("needs DATABASE_URL=postgresql://...")
    redis = Redis(tmp_path)
    redis.start()
    project = Project(tmp_path / "var", redis_url=redis.url)
    servers, proxy = [], None
    try:
        ids = project.run(SETUP)
        servers = [Server(project), Server(project)]
        for _ in range(2):
            project.start_worker()
        started = time.time()
        proxy = Proxy([f"127.0.0.1:{s.port}" for s in servers]).start()
        base = f"http://127.0.0.1:{proxy.port}"

        # residents' orders, eight at a time, each retried once with its key
        statuses, upstreams = Counter(), Counter()

        def order(hh):
            body = {"window": ids["window"], "household": hh, "fulfilment": "pickup"}
            body["lines"] = [{"offer": ids["offer"], "qty": 1}]
            for _ in range(2):  # the retry answers the first order again
                status, _body, upstream = _call(
                    f"{base}/api/v1/market/orders", body=body, token=ids["token"], key=f"so-{hh}"
                )
                statuses[status] += 1
                upstreams[upstream] += 1

        households = ids["households"]
        for start in range(0, len(households), 8):
            batch = [
                threading.Thread(target=order, args=(h,)) for h in households[start : start + 8]
            ]
            for t in batch:
                t.start()
            for t in batch:
                t.join()
        assert set(statuses) <= {200, 201}, statuses
        assert project.one("SELECT COUNT(*) FROM market_order") == len(households)
        assert len(upstreams) == 2 and min(upstreams.values()) > 0, upstreams

        # a staff session made on one app is honoured by the other (no stickiness)
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        page = opener.open(f"{base}/login/", timeout=30).read().decode()
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode(
            {"username": ids["manager"], "password": ids["password"], "csrfmiddlewaretoken": csrf}
        ).encode()
        opener.open(urllib.request.Request(f"{base}/login/", data=form, headers={"Referer": base}))
        seen = Counter()
        for _ in range(6):
            res = opener.open(f"{base}/console/", timeout=30)
            assert res.status == 200 and "/login/" not in res.url
            seen[res.headers["X-Upstream"]] += 1
        assert len(seen) == 2, seen

        # an emergency opened twice with one key: one event, its job run once
        event = {"kind": "flood", "grade": 3, "title": "防汛演练", "compounds": ids["compounds"]}
        first = _call(
            f"{base}/api/v1/emergency/events", body=event, token=ids["regulator_token"], key="ev-1"
        )
        again = _call(
            f"{base}/api/v1/emergency/events", body=event, token=ids["regulator_token"], key="ev-1"
        )
        assert first[0] == 201 and again[0] == 201 and first[1]["id"] == again[1]["id"]
        project.wait_for("SELECT status FROM core_job WHERE id = %s", (first[1]["job"],), "done")
        assert project.one("SELECT COUNT(*) FROM emergency_event") == 1
        doubles = project.one(
            "SELECT COUNT(*) FROM (SELECT compound_id, code FROM emergency_checklistitem"
            " GROUP BY compound_id, code HAVING COUNT(*) > 1) d"
        )
        assert doubles == 0
        assert project.one("SELECT COUNT(DISTINCT compound_id) FROM emergency_checklistitem") == 2

        # both consumers schedule; each tick of an every-minute task is claimed once
        # and executed once (two ticks: as the consumers start and a minute later)
        query = "SELECT slot, COUNT(*) FROM core_periodicclaim WHERE task = %s GROUP BY slot"
        while time.time() - started < 150:
            claims = project.sql(query, ("wanjia.core.tasks.sweep_jobs",))
            if len(claims) >= 2:
                break
            time.sleep(2)
        time.sleep(3)  # the second tick's run, enqueued on its claim
        claims = project.sql(query, ("wanjia.core.tasks.sweep_jobs",))
        assert len(claims) >= 2 and all(n == 1 for _slot, n in claims), claims
        logs = "".join(p.read_text() for p in project.var_dir.glob("worker*.log"))
        executed = len(re.findall(r"Executing wanjia\.core\.tasks\.sweep_jobs", logs))
        assert executed == len(claims), (executed, claims)
        print(
            f"\nscale out: {len(households)} orders over {dict(upstreams)}, session over"
            f" {dict(seen)}, sweep_jobs ticks {len(claims)} run {executed} times"
        )
    finally:
        if proxy:
            proxy.stop()
        for s in servers:
            s.stop()
        project.close()
        redis.stop()
