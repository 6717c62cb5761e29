"""Search keys of a name: one pypinyin conversion gives both the full pinyin
and the initials, exactly as converting twice (NORMAL, then FIRST_LETTER) did."""

import random

import pytest
from pypinyin import Style, lazy_pinyin

from wanjia.demo.names import person_name
from wanjia.estates.services import pinyin_keys


def two_conversions(name: str) -> tuple[str, str]:
    """The reference: what pinyin_keys computed before it converted only once."""
    own = lambda s: list(s.lower())  # noqa: E731
    full = lazy_pinyin(name, errors=own)
    initials = lazy_pinyin(name, style=Style.FIRST_LETTER, errors=own)
    return "".join(full).lower(), "".join(initials).lower()


def sample_names() -> list[str]:
    rng = random.Random(20240501)
    names = [person_name(rng, rng.choice("MF")) for _ in range(3000)]
    # Polyphonic characters (in names and in phrases pypinyin knows), compound
    # surnames, Latin, digits, full-width, symbols, and mixtures of them.
    pool = "张伟长重行曾单解覃区仇朴查乐缪朝阿Ａa1１ ·-_'ÄüİßZ"
    names += ["".join(rng.choice(pool) for _ in range(rng.randint(1, 8))) for _ in range(2000)]
    return names + ["", " ", "Anna", "李Anna", "欧阳娜娜", "单于", "长孙无忌", "重庆", "〇", "①"]


@pytest.mark.parametrize("chunk", range(5))
def test_one_conversion_matches_two(chunk):
    names = sample_names()[chunk::5]
    assert [pinyin_keys(n) for n in names] == [two_conversions(n) for n in names]


def test_examples():
    assert pinyin_keys("张伟") == ("zhangwei", "zw")
    assert pinyin_keys("重庆") == ("chongqing", "cq")  # the phrase reading, in both keys
    assert pinyin_keys("王2B") == ("wang2b", "w2b")
