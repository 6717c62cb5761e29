"""Households of plausible people, drawn from a seeded ``random.Random``.

Pure Python, no Django models: the loader turns these into rows. Ages are
counted from a fixed reference date, not from today, so the same seed gives the
same people on any day (and a resident who is 70 in the demo stays at least 70)."""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from wanjia.core.pii import id_check_digit

from . import names

REFERENCE_DATE = date(2025, 6, 30)

# First six digits of the demo ID numbers. Province code 99 is not allocated by
# GB/T 2260, so no generated number can belong to a real person.
ID_AREAS = ("990101", "990102", "990103", "990104", "990105", "990106")

HEALTH_NOTES = (
    "高血压，每日服药",
    "糖尿病，需定期测血糖",
    "冠心病，避免剧烈活动",
    "慢性支气管炎，冬季易发",
    "关节炎，上下楼不便",
    "脑梗后遗症，行动较慢",
)
CONTACT_RELATIONS = ("儿子", "女儿", "侄子", "外甥女", "邻居")


@dataclass
class Person:
    name: str
    surname: str
    gender: str  # "M" / "F"
    birth_date: date
    relation: str  # owner / tenant / family
    phone: str = ""
    id_number: str = ""
    lives_alone: bool = False
    disability: bool = False
    chronic_illness: bool = False
    health_notes: str = ""
    is_party_member: bool = False
    emergency_contacts: list[dict] = field(default_factory=list)

    @property
    def age(self) -> int:
        return age_on(self.birth_date, REFERENCE_DATE)


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


class Registry:
    """Keeps generated phone and ID numbers unique across the whole city."""

    def __init__(self):
        self.phones: set[str] = set()
        self.ids: set[str] = set()

    def phone(self, rng: random.Random) -> str:
        while True:
            phone = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
            if phone not in self.phones:
                self.phones.add(phone)
                return phone

    def id_number(self, rng: random.Random, birth: date, gender: str) -> str:
        """GB 11643: area + birth date + sequence (odd for men) + check digit."""
        while True:
            seq = rng.randrange(500) * 2 + (1 if gender == "M" else 0)
            first17 = f"{rng.choice(ID_AREAS)}{birth:%Y%m%d}{seq:03d}"
            number = first17 + id_check_digit(first17)
            if number not in self.ids:
                self.ids.add(number)
                return number


def birth_for_age(rng: random.Random, low: int, high: int) -> date:
    """A birth date for someone aged between ``low`` and ``high`` on the reference date."""
    age = rng.randint(low, high)
    return REFERENCE_DATE - timedelta(days=age * 365 + rng.randrange(365))


def _person(rng, reg, *, gender, low, high, relation, family=None) -> Person:
    birth = birth_for_age(rng, low, high)
    family = family or names.surname(rng)
    p = Person(
        name=family + names.given_name(rng, gender),
        surname=family,
        gender=gender,
        birth_date=birth,
        relation=relation,
    )
    p.id_number = reg.id_number(rng, birth, gender)
    _traits(rng, reg, p)
    return p


def _traits(rng: random.Random, reg: Registry, p: Person) -> None:
    """Phone, health and party membership, depending on age."""
    age = p.age
    if age >= 14 and (age < 80 or rng.random() < 0.6):
        p.phone = reg.phone(rng)
    p.disability = rng.random() < (0.06 if age >= 60 else 0.015)
    p.chronic_illness = rng.random() < (0.35 if age >= 60 else 0.06 if age >= 40 else 0.01)
    if p.chronic_illness and rng.random() < 0.5:
        p.health_notes = rng.choice(HEALTH_NOTES)
    p.is_party_member = age >= 22 and rng.random() < (0.085 if age >= 50 else 0.04)


def _other(gender: str) -> str:
    return "F" if gender == "M" else "M"


def _emergency_contacts(rng, reg, family: str) -> list[dict]:
    contacts = []
    for _ in range(rng.choice((1, 1, 2))):
        relation = rng.choice(CONTACT_RELATIONS)
        gender = "F" if relation in ("女儿", "外甥女") else "M"
        kin = relation in ("儿子", "女儿")
        contacts.append(
            {
                "name": names.person_name(rng, gender, family if kin else None),
                "phone": reg.phone(rng),
                "relation": relation,
            }
        )
    return contacts


def elder_alone(rng: random.Random, reg: Registry, head_relation: str) -> list[Person]:
    gender = "F" if rng.random() < 0.62 else "M"  # widows outnumber widowers
    p = _person(rng, reg, gender=gender, low=70, high=94, relation=head_relation)
    p.lives_alone = True
    # Most have someone to call; the ones who do not are who the caretakers visit first.
    if rng.random() < 0.78:
        # a son or daughter carries the father's surname: the elder's own, or not
        family = p.surname if gender == "M" else names.surname(rng)
        p.emergency_contacts = _emergency_contacts(rng, reg, family)
    return [p]


def _couple(rng, reg, *, low, high, head_relation) -> list[Person]:
    head_gender = "M" if rng.random() < 0.7 else "F"
    head = _person(rng, reg, gender=head_gender, low=low, high=high, relation=head_relation)
    spouse_age = max(18, head.age + rng.randint(-5, 3))
    spouse = _person(
        rng, reg, gender=_other(head_gender), low=spouse_age, high=spouse_age, relation="family"
    )
    return [head, spouse]


def _children(rng, reg, couple: list[Person], count: int) -> list[Person]:
    """Children take the father's surname, as most do."""
    parent = couple[0]
    family = next(p.surname for p in couple if p.gender == "M")
    kids = []
    for _ in range(count):
        age_cap = max(0, parent.age - 22)
        low = max(0, parent.age - 38)
        kids.append(
            _person(
                rng,
                reg,
                gender=rng.choice("MF"),
                low=min(low, age_cap),
                high=age_cap,
                relation="family",
                family=family,
            )
        )
    return kids


def household_people(
    rng: random.Random, reg: Registry, *, kind: str, alone_rate: float
) -> list[Person]:
    """The people of one household; the first one is the owner or main tenant."""
    tenant_rate = {"public_rental": 1.0, "resettlement": 0.08}.get(kind, 0.15)
    head_relation = "tenant" if rng.random() < tenant_rate else "owner"
    roll = rng.random()
    if roll < alone_rate:
        return elder_alone(rng, reg, head_relation)
    roll = (roll - alone_rate) / (1 - alone_rate)
    if roll < 0.14:  # retired couple
        return _couple(rng, reg, low=62, high=88, head_relation=head_relation)
    if roll < 0.31:  # young single
        return [_person(rng, reg, gender=rng.choice("MF"), low=22, high=38, relation=head_relation)]
    if roll < 0.46:  # couple without children at home
        return _couple(rng, reg, low=25, high=60, head_relation=head_relation)
    if roll < 0.82:  # couple with children
        people = _couple(rng, reg, low=28, high=52, head_relation=head_relation)
        return people + _children(rng, reg, people, rng.choice((1, 1, 1, 2)))
    if roll < 0.94:  # three generations
        people = _couple(rng, reg, low=32, high=50, head_relation=head_relation)
        people += _children(rng, reg, people, rng.choice((1, 1, 1, 2)))
        elder_low = people[0].age + 22
        for _ in range(rng.choice((1, 1, 2))):
            people.append(
                _person(
                    rng,
                    reg,
                    gender=rng.choice("MF"),
                    low=elder_low,
                    high=elder_low + 12,
                    relation="family",
                )
            )
        return people
    # flat-share: two or three unrelated young adults, all tenants
    return [
        _person(rng, reg, gender=rng.choice("MF"), low=20, high=34, relation="tenant")
        for _ in range(rng.choice((2, 3)))
    ]
