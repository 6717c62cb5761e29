"""An evening peak (18:00–22:00) on Wanjia, for Locust (headless).

Run it through ``python -m bench.peak`` (bench/peak/run.py), which makes the
database, the people (bench/peak/setup.py) and the server and then calls
Locust with this file; ``PEAK_DATA`` names the JSON the setup wrote (tokens,
the market window, checkpoints, the regulator's session cookie).

Users, weighted like an evening: residents ordering a basket (most of the
traffic), guards checking in at checkpoints, caretakers recording visits,
staff working the repair queue, the regulator's wall refreshing every 60 s,
and a ``PingUser`` posting to the bare insert endpoint (``POST /bench/ping``,
same API stack and bearer auth) as the baseline of the same run.
``OrderOnlyUser`` and ``PingOnlyUser`` (no wait) are for the ratio phase.

Answers the peak expects (sold out or over the household's limit, a ticket
another worker took first, a visit already recorded) are not failures: they
are reported under the endpoint's name with `` [expected 4xx]`` added."""

import itertools
import json
import os
import random
import threading
import uuid
from pathlib import Path

from locust import FastHttpUser, between, constant, events, task

with open(os.environ["PEAK_DATA"]) as _f:
    DATA = json.load(_f)

# Households that have ordered are not asked again: the next free one is
# kept beside the data between the runs of one peak (warm-up, evening, ratio).
_NEXT = Path(os.environ["PEAK_DATA"]).with_name("households.next")
_lock = threading.Lock()
_households = itertools.count(int(_NEXT.read_text()) if _NEXT.exists() else 0)
_guards = itertools.count()
_scans = itertools.count()


def _next(counter) -> int:
    with _lock:
        return next(counter)


@events.quitting.add_listener
def _keep_next(**_kw):
    with _lock:
        _NEXT.write_text(str(next(_households)))


def _bearer(key: str) -> dict:
    return {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}


def _expect(res, name: str, expected: tuple[int, ...]) -> None:
    """Inside ``catch_response``: the expected 4xx count apart, as successes."""
    if res.status_code in expected:
        res.request_meta["name"] = f"{name} [expected 4xx]"
        res.success()
    elif res.status_code >= 400 or res.status_code == 0:
        res.failure(f"{res.status_code}: {(res.text or '')[:200]}")
    else:
        res.success()


ORDER = "POST /api/v1/market/orders"
PING = "POST /bench/ping"


def next_household() -> str:
    """The bearer key of the next household that has not ordered yet (they
    come round again once all have: then "one live order per household"
    answers 409, counted as expected)."""
    residents = DATA["residents"]
    return residents[_next(_households) % len(residents)]


def place_order(client, key: str | None = None) -> str:
    """A basket of one to three offers for the household of ``key``."""
    key = key or next_household()
    offers = random.sample(DATA["offers"], k=min(len(DATA["offers"]), random.randint(1, 3)))
    body = {
        "window": DATA["window"],
        "lines": [{"offer": o, "qty": random.randint(1, 2)} for o in offers],
        "fulfilment": "door",
    }
    headers = {**_bearer(key), "Idempotency-Key": uuid.uuid4().hex}
    with client.post(
        "/api/v1/market/orders", json=body, headers=headers, name=ORDER, catch_response=True
    ) as res:
        _expect(res, ORDER, (400, 409, 422))
    return key


def ping(client, key: str) -> None:
    with client.post("/bench/ping", data="{}", headers=_bearer(key), name=PING) as _res:
        pass


class ResidentUser(FastHttpUser):
    """Looks at the market, puts a basket together, places it, checks their
    orders; now and then reports a repair."""

    weight = 60
    wait_time = between(3, 8)

    def on_start(self):
        self.key = DATA["residents"][random.randrange(len(DATA["residents"]))]

    @task(3)
    def browse(self):
        self.client.get(
            f"/api/v1/market/windows/{DATA['window']}",
            headers=_bearer(self.key),
            name="GET /api/v1/market/windows/{id}",
        )
        self.client.get(
            "/api/v1/market/windows", headers=_bearer(self.key), name="GET /api/v1/market/windows"
        )

    @task(4)
    def order(self):
        """Another household's evening: the window, the basket, my orders."""
        key = next_household()
        self.client.get(
            f"/api/v1/market/windows/{DATA['window']}",
            headers=_bearer(key),
            name="GET /api/v1/market/windows/{id}",
        )
        place_order(self.client, key)
        self.client.get(
            f"/api/v1/market/orders?window={DATA['window']}",
            headers=_bearer(key),
            name="GET /api/v1/market/orders",
        )

    @task(1)
    def repair(self):
        body = {"category": DATA["ticket_category"], "description": "楼道灯不亮了，晚上看不见。"}
        headers = {**_bearer(self.key), "Idempotency-Key": uuid.uuid4().hex}
        name = "POST /api/v1/tickets"
        with self.client.post(
            "/api/v1/tickets", json=body, headers=headers, name=name, catch_response=True
        ) as res:
            _expect(res, name, (409,))  # the household's daily limit


class GuardUser(FastHttpUser):
    """Walks the round: a check-in at the next checkpoint every 20–40 s."""

    weight = 8
    wait_time = between(20, 40)

    def on_start(self):
        guards = DATA["guards"]
        self.key, self.device, self.compound = guards[_next(_guards) % len(guards)]
        self.point = random.randrange(len(DATA["points"][self.compound]))

    @task
    def checkin(self):
        token, lat, lng = DATA["points"][self.compound][self.point]
        self.point = (self.point + 1) % len(DATA["points"][self.compound])
        body = {"token": token, "lat": lat, "lng": lng, "device_id": self.device}
        headers = {**_bearer(self.key), "Idempotency-Key": f"peak-scan-{_next(_scans)}"}
        name = "POST /api/v1/patrol/checkins"
        with self.client.post(
            "/api/v1/patrol/checkins", json=body, headers=headers, name=name, catch_response=True
        ) as res:
            _expect(res, name, ())


class CaretakerUser(FastHttpUser):
    """Opens today's visits, records the next one still pending."""

    weight = 6
    wait_time = between(10, 30)

    def on_start(self):
        self.key = DATA["carers"][random.randrange(len(DATA["carers"]))]

    @task
    def visit(self):
        res = self.client.get(
            f"/api/v1/care/visits?compound={DATA['compound']}",
            headers=_bearer(self.key),
            name="GET /api/v1/care/visits",
        )
        if res.status_code != 200:
            return
        pending = [v["id"] for v in res.json()["items"] if v["status"] == "pending"]
        if not pending:
            return
        name = "POST /api/v1/care/visits/{id}/outcome"
        with self.client.post(
            f"/api/v1/care/visits/{random.choice(pending[:5])}/outcome",
            json={"outcome": "well", "note": "精神不错"},
            headers=_bearer(self.key),
            name=name,
            catch_response=True,
        ) as res:
            _expect(res, name, (409,))  # a colleague recorded it first


class StaffUser(FastHttpUser):
    """Works the repair queue: list the new tickets, take one, finish it."""

    weight = 8
    wait_time = between(5, 15)

    def on_start(self):
        self.key = DATA["staff"][random.randrange(len(DATA["staff"]))]

    @task
    def work(self):
        res = self.client.get(
            f"/api/v1/tickets?compound={DATA['compound']}&status=submitted",
            headers=_bearer(self.key),
            name="GET /api/v1/tickets?status=submitted",
        )
        if res.status_code != 200 or not res.json()["items"]:
            return
        ticket = random.choice(res.json()["items"][:10])["id"]
        name = "POST /api/v1/tickets/{id}/accept"
        with self.client.post(
            f"/api/v1/tickets/{ticket}/accept",
            headers=_bearer(self.key),
            name=name,
            catch_response=True,
        ) as res:
            # a colleague took it first (409), or it went to a colleague
            # automatically and is theirs to take (403)
            _expect(res, name, (403, 409))
            taken = res.status_code == 200
        if taken:
            name = "POST /api/v1/tickets/{id}/done"
            with self.client.post(
                f"/api/v1/tickets/{ticket}/done",
                json={"note": "已更换"},
                headers=_bearer(self.key),
                name=name,
                catch_response=True,
            ) as res:
                _expect(res, name, ())


class RegulatorUser(FastHttpUser):
    """The authority's wall screen: the page once, its live part every 60 s."""

    weight = 1
    wait_time = constant(60)

    def on_start(self):
        name, value = DATA["regulator_cookie"]
        self.cookie = {"Cookie": f"{name}={value}"}
        self.client.get("/gov/wall/", headers=self.cookie, name="GET /gov/wall/")

    @task
    def refresh(self):
        self.client.get(
            "/gov/wall/?part=live",
            headers={**self.cookie, "HX-Request": "true"},
            name="GET /gov/wall/?part=live",
        )


class PingUser(FastHttpUser):
    """The baseline in the same run: the bare insert endpoint, at the
    residents' ordering pace."""

    weight = 6
    wait_time = between(3, 8)

    def on_start(self):
        self.key = DATA["residents"][random.randrange(len(DATA["residents"]))]

    @task
    def ping(self):
        ping(self.client, self.key)


class OrderOnlyUser(FastHttpUser):
    """Ratio phase: orders back to back."""

    weight = 1
    wait_time = constant(0)

    @task
    def order(self):
        place_order(self.client)


class PingOnlyUser(FastHttpUser):
    """Ratio phase: bare inserts back to back."""

    weight = 1
    wait_time = constant(0)

    def on_start(self):
        self.key = DATA["residents"][random.randrange(len(DATA["residents"]))]

    @task
    def ping(self):
        ping(self.client, self.key)
