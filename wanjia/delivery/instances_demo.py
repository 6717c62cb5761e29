"""Demo-shaped routing problems: the fictional city, its buildings and couriers (tests and benchmarks)."""

from __future__ import annotations

import random

from wanjia.delivery import engine

# ---------------------------------------------------- demo-shaped instances

CITY_CENTRE = (30.1210, 104.6420)  # lat, lng: the demo city's centre
DAY = {"05:00": 5 * 3600, "06:00": 6 * 3600, "08:00": 8 * 3600, "08:30": 8 * 3600 + 1800}
# kind -> (how many of 11, bags per trip, metres per second)
COURIER_KINDS = {"tricycle": (4, 60, 3.0), "ebike": (5, 30, 4.5), "foot": (2, 12, 1.3)}


def demo_instance(
    orders: int, *, couriers: int = 11, compounds: int = 20, seed: int = 7
) -> engine.Problem:
    """A morning of the demo city: the market in the middle, ``compounds``
    compounds within about 1.5 km, buildings on a 45 m grid (walk-ups of 6–7
    floors without a lift, mid-rises with one), each order a stop at the door
    of its unit (stairwell), so orders for one unit share a point. Couriers
    start as sorting ends between 05:00 and 06:00, every order is due by 08:00
    and couriers are back by 08:30."""
    # the same city whatever the number of orders; the orders drawn apart
    buildings = _demo_buildings(
        random.Random(f"wanjia-delivery:city:{compounds}:{seed}"), compounds
    )
    rng = random.Random(f"wanjia-delivery:orders:{orders}:{compounds}:{seed}")
    weights = [b[2] * b[3] for b in buildings]  # households: floors × units
    stops = []
    for k in range(orders):
        lat, lng, floors, units, lift = rng.choices(buildings, weights)[0]
        door = rng.randrange(units)  # unit doors 12 m apart along the building
        floor = rng.randint(1, floors)
        service = 15 + (30 if lift else 10 * (floor - 1))
        stops.append(
            engine.Stop(
                id=f"O{k + 1:04d}",
                point=engine.Point.latlng(lat, lng + (door - (units - 1) / 2) * 1.25e-4),
                demand=rng.choices((1, 2, 3), (6, 3, 1))[0],
                service_s=float(service),
                earliest_s=0.0,
                latest_s=float(DAY["08:00"]),
            )
        )
    return engine.Problem(
        depot=engine.Point.latlng(*CITY_CENTRE),
        stops=tuple(stops),
        couriers=demo_couriers(couriers),
        metric="haversine",
        geographic=True,
        detour=1.3,
        load_s=300.0,
    )


def demo_couriers(count: int = 11) -> tuple[engine.Courier, ...]:
    """Tricycles, e-bikes and walkers in the demo's 4:5:2 mix, starting as
    sorting batches finish between 05:00 and 06:00."""
    kinds = [k for k, (n, _cap, _v) in COURIER_KINDS.items() for _ in range(n)]
    out = []
    for i in range(count):
        kind = kinds[i % len(kinds)]
        _n_, cap, speed = COURIER_KINDS[kind]
        start = DAY["05:00"] + (DAY["06:00"] - DAY["05:00"]) * i / max(1, count - 1)
        out.append(
            engine.Courier(
                f"C{i + 1:02d}", cap, speed, float(round(start)), float(DAY["08:30"]), kind
            )
        )
    return tuple(out)


def _demo_buildings(rng: random.Random, compounds: int) -> list[tuple]:
    """(lat, lng, floors, units, has lift) for every building."""
    out = []
    for _c in range(compounds):
        lat0 = CITY_CENTRE[0] + rng.uniform(-0.0135, 0.0135)
        lng0 = CITY_CENTRE[1] + rng.uniform(-0.0155, 0.0155)
        count = rng.randint(8, 18)
        cols = max(1, round(count**0.5))
        for b in range(count):
            walkup = rng.random() < 0.7
            floors = rng.randint(6, 7) if walkup else rng.randint(9, 18)
            units = rng.randint(2, 3)
            row, col = divmod(b, cols)
            out.append(
                (
                    lat0 + (row - cols / 2) * 0.0004,
                    lng0 + (col - cols / 2) * 0.00047,
                    floors,
                    units,
                    not walkup,
                )
            )
    return out
