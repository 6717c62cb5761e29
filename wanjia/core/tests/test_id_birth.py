"""The birth date inside an ID number: a real calendar date from 1900 to today,
decided exactly as ``strptime("%Y%m%d")`` decided it, without its cost."""

from datetime import date, datetime

import time_machine

from wanjia.core import pii


def by_strptime(yyyymmdd: str) -> bool:
    try:
        born = datetime.strptime(yyyymmdd, "%Y%m%d").date()  # noqa: DTZ007
    except ValueError:
        return False
    return born.year >= 1900 and born <= date.today()


@time_machine.travel("2024-03-01 12:00 +08:00", tick=False)
def test_same_verdict_as_strptime_on_every_month_and_day():
    years = (0, 1000, 1899, 1900, 1901, 1999, 2000, 2023, 2024, 2025, 9999)
    checked = [f"{y:04d}{m:02d}{d:02d}" for y in years for m in range(100) for d in range(100)]
    assert [pii._valid_birth(s) for s in checked] == [by_strptime(s) for s in checked]
    assert pii._valid_birth("20240229") and pii._valid_birth("20240301")
    assert not pii._valid_birth("20230229") and not pii._valid_birth("20240302")


def test_the_id_number_error_names_an_impossible_birth_date():
    first17 = "11010520230229001"  # 29 February of a common year
    assert pii.id_number_error(first17 + pii.id_check_digit(first17)) is not None
    first17 = "11010519800101001"
    assert pii.id_number_error(first17 + pii.id_check_digit(first17)) is None
