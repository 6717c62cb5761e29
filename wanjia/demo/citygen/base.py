"""Chunk 0: what the whole city shares. Computed from the plan alone (no reads),
so every compound chunk knows the ids of its community, company and categories
whether chunk 0 was written in this run or an earlier one."""

from dataclasses import dataclass, field
from datetime import time, timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.utils import translation

from wanjia.core.models import Company, Membership, Region, User
from wanjia.core.roles import Role
from wanjia.demo.constants import DEMO_PASSWORD
from wanjia.emergency.models import Event
from wanjia.tickets.models import Category
from wanjia.tickets.services.categories import DEFAULTS as CATEGORY_DEFAULTS

from .copy import Batch
from .plan import CityPlan, Ids

CITY_CODE = "CG"
CITY_NAME = "澄江市"
PLACE_WORDS = "青云溪南桂湖临江枫林石桥云栖柳岸书院荷塘金橘翠竹丹霞望湖锦屏玉泉松鹤兰亭晨光龙潭凤鸣"
WORDS = [PLACE_WORDS[i : i + 2] for i in range(0, len(PLACE_WORDS), 2)]
FIRM_WORDS = "禾嘉泊岸安澜恒信锦程瑞祥宏远德邦华居和美佳园新城"
FIRMS = [FIRM_WORDS[i : i + 2] for i in range(0, len(FIRM_WORDS), 2)]

# the tickets module's default categories (its figures count by these codes),
# with how often each is reported
CATEGORY_WEIGHTS = {"leak": 12, "power": 6, "elevator": 4, "plumbing": 18, "doors": 14,
                    "lighting": 10, "cleaning": 12, "security": 4, "complaint": 8, "other": 12}  # fmt: skip
# kind, grade, title, starts (days before the clock), length in days
EMERGENCIES = [
    ("flood", 3, "汛期防汛应急响应", 160, 6),
    ("epidemic", 4, "流感高发期防控", 300, 12),
]
PASSWORD = make_password(DEMO_PASSWORD, salt="citygen")  # one hash for every account


def _word(n: int, pool: list[str]) -> str:
    """A name part for index ``n``: a word, then two words, then a number."""
    if n < len(pool):
        return pool[n]
    n -= len(pool)
    if n < len(pool) ** 2:
        return pool[n // len(pool)] + pool[n % len(pool)]
    return f"{pool[n % len(pool)]}{n}"


@dataclass
class City:
    plan: CityPlan
    city_id: int = 0
    communities: list[int] = field(default_factory=list)  # region ids
    companies: list[int] = field(default_factory=list)
    categories: dict = field(default_factory=dict)  # company id -> [(id, code, name, resp, fin)]
    emergencies: list = field(default_factory=list)  # (id, first day, days, report_by)
    regulator_id: int = 0
    batch: Batch | None = None

    def company_of(self, index: int) -> int:
        return self.companies[(index * 7919) % len(self.companies)]

    def community_of(self, index: int) -> int:
        return self.communities[index % len(self.communities)]


def build(plan: CityPlan) -> City:
    city = City(plan=plan)
    ids = Ids(0)
    batch = city.batch = Batch(plan.end)

    def region(kind, name, code, parent):
        pk = ids(Region)
        path = f"{parent[1] if parent else '/'}{pk}/"
        batch.add(Region, id=pk, kind=kind, name=name, code=code,
                  parent_id=parent[0] if parent else None, path=path)  # fmt: skip
        return pk, path

    root = region("city", CITY_NAME, CITY_CODE, None)
    city.city_id = root[0]
    streets = []
    for d in range(plan.districts):
        district = region("district", f"{_word(d, WORDS)}区", f"{CITY_CODE}-{d + 1:02d}", root)
        for s in range(min(5, plan.streets - len(streets))):
            code = f"{CITY_CODE}-{d + 1:02d}-{s + 1:02d}"
            name = f"{_word(len(streets) + 3, WORDS)}街道"
            streets.append((region("street", name, code, district), code))
    for c in range(plan.communities):
        street, code = streets[c % len(streets)]
        name = f"{_word(c + 7, WORDS)}社区"
        pk, _ = region("community", name, f"{code}-{c // len(streets) + 1:02d}", street)
        city.communities.append(pk)

    rng = plan.rng("companies")
    with translation.override(settings.LANGUAGE_CODE):
        category_defaults = [(c, str(n), *rest) for c, n, *rest in CATEGORY_DEFAULTS]
    for n in range(plan.companies):
        pk = ids(Company)
        batch.add(
            Company,
            id=pk,
            name=f"{CITY_NAME[:2]}{_word(n, FIRMS)}物业服务有限公司",
            credit_code=f"91990100MA{rng.randrange(10**7):07d}{rng.choice('0123456789ABCDEFGH')}",
            contact_phone=f"0{rng.randint(810, 839)}-{rng.randint(2000000, 8999999)}",
            region_id=root[0],
        )
        city.companies.append(pk)
        cats = []
        for code, name, urgent, resp, fin, duty, sort in category_defaults:
            cid = ids(Category)
            batch.add(Category, id=cid, company_id=pk, code=code, name=name, urgent=urgent,
                      respond_minutes=resp, finish_hours=fin, duty=duty, sort=sort)  # fmt: skip
            cats.append((cid, code, name, resp, fin))
        city.categories[pk] = cats

    city.regulator_id = ids(User)
    batch.add(User, id=city.regulator_id, username="cg-regulator", password=PASSWORD,
              display_name="市住建局监管员", is_active=True, is_staff=False,
              is_superuser=False, first_name="", last_name="", email="",
              date_joined=plan.start, last_login=None, phone=None, wechat_openid=None)  # fmt: skip
    batch.add(Membership, id=ids(Membership), user_id=city.regulator_id, role=Role.REGULATOR,
              scope_type="region", region_id=root[0], created_at=plan.start)  # fmt: skip

    for kind, grade, title, ago, length in EMERGENCIES:
        pk = ids(Event)
        first = plan.clock - timedelta(days=ago)
        batch.add(Event, id=pk, kind=kind, grade=grade, title=title, area="city",
                  region_id=root[0], owner_region_id=root[0], status="closed",
                  starts_at=plan.at(first, 8), ends_at=plan.at(first + timedelta(days=length), 18),
                  report_by=time(18), opened_by_id=city.regulator_id,
                  closed_by_id=city.regulator_id, created_at=plan.at(first, 8))  # fmt: skip
        city.emergencies.append((pk, first, length))
    return city
