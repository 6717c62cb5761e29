"""The evening's people, made in the peak database by a child process
(``python -m bench.peak.setup setup <households>``; prints JSON).

Residents: one compound of ``households`` homes, each with a resident holding
a bearer token, and a market window with stock that lasts the evening
(:func:`bench.bench_market._setup`). Guards: 10 compounds of checkpoints and
rounds (:func:`bench.bench_checkin._setup`). Caretakers: eight caretakers
(staff of the residents' compound) with today's visits to 400 people. Staff:
four workers of the same compound with 200 repair tickets already in the
queue (residents file more during the run). Regulator: the demo's
``regulator`` when the demo city is loaded, else one made over the compound's
district; a logged-in session cookie for the wall screen."""

import itertools

from bench import harness

CARETAKERS = 8
CARE_PEOPLE = 400
STAFF = 4
TICKETS = 200


def _token(user, tag: str) -> str:
    from wanjia.core.models import ApiToken

    key = f"{tag}-{user.pk}-0123456789abcdef"
    ApiToken.objects.create(user=user, key_hash=ApiToken.hash_key(key), prefix=key[:8])
    return key


def _session(user) -> tuple[str, str]:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value


def setup(households: int) -> dict:
    from django.utils import timezone

    from bench import bench_checkin, bench_market
    from wanjia.care import services as care
    from wanjia.core.models import Region, User
    from wanjia.core.roles import Role
    from wanjia.estates import testing
    from wanjia.estates.models import Household
    from wanjia.estates.testing import grant, make_resident, make_user
    from wanjia.market.models import OrderWindow
    from wanjia.tickets import selectors as ticket_selectors
    from wanjia.tickets import services as tickets

    # make_compound numbers codes from a per-process counter: keep clear of
    # anything another loader made in this database
    testing._seq = itertools.count(200_000)
    market = bench_market._setup(households)
    patrol = bench_checkin._setup(50)
    window = OrderWindow.objects.select_related("market").get(pk=market["window"])
    homes = list(Household.objects.filter(pk__in=[h for _k, h in market["buyers"]]).order_by("id"))
    compound = homes[0].compound
    manager = User.objects.get(username="bench_manager")

    staff = [grant(make_user(f"peak_staff_{n}"), Role.STAFF, compound) for n in range(STAFF)]
    carers = [grant(make_user(f"peak_carer_{n}"), Role.STAFF, compound) for n in range(CARETAKERS)]
    today = timezone.localdate()
    for n, home in enumerate(homes[:CARE_PEOPLE]):
        care.person_create(
            actor=manager,
            compound=compound,
            resident=make_resident(home, name="王秀英"),
            reason="alone",
            caretakers=[carers[n % CARETAKERS]],
            contacts=[{"name": "王小明", "phone": "13911112222"}],
            started_on=today,
        )
    care.visits_generate(today, compound_ids=[compound.pk])

    tickets.categories_ensure(compound.company)
    category = ticket_selectors.categories_of(compound.company).first().code
    for n, home in enumerate(homes[-TICKETS:]):
        tickets.ticket_open(
            actor=staff[0],
            compound=compound,
            household=home,
            category=category,
            description=f"厨房水龙头漏水（压测 {n}）",
        )

    regulator = User.objects.filter(username="regulator").first()
    if regulator is None:
        top = compound.community
        while top.parent_id is not None:
            top = Region.objects.get(pk=top.parent_id)
        regulator = grant(make_user("peak_regulator"), Role.REGULATOR, top)
    cookie = _session(regulator)
    return {
        "compound": compound.pk,
        "window": window.pk,
        "offers": market["offers"],
        "residents": [k for k, _h in market["buyers"]],
        "guards": patrol["guards"],
        "points": patrol["points"],
        "carers": [_token(u, "carer") for u in carers],
        "staff": [_token(u, "staff") for u in staff],
        "ticket_category": category,
        "regulator_cookie": list(cookie),
        "demo": regulator.username == "regulator",
    }


def touch(_arg: int) -> dict:
    """Every token used just now (as after an evening of browsing), so that
    the ratio phase compares order and insert, not the token's once-in-five-
    minutes ``last_used_at`` write that a household's first request pays."""
    from django.utils import timezone

    from wanjia.core.models import ApiToken

    return {"touched": ApiToken.objects.update(last_used_at=timezone.now())}


def check(window_id: int) -> dict:
    from bench import bench_market

    return bench_market._check(window_id)


if __name__ == "__main__":
    harness.child_main({"setup": setup, "check": check, "touch": touch})
