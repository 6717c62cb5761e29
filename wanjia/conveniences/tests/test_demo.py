"""The conveniences demo, loaded at three hours: the ``resident`` account has
a live booking (00:30 and 23:00 included), staff have the day's bookings and
a print queue, one household is suspended, and the figures have values."""

from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from wanjia.conveniences import selectors
from wanjia.conveniences.models import Booking, Service, Status, Suspension
from wanjia.core import figures
from wanjia.core.models import Compound, User
from wanjia.core.today import cards_for
from wanjia.demo.constants import DEMO_COMPOUND_CODE

LOCAL = ZoneInfo("Asia/Shanghai")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "instant",
    [datetime(2026, 12, 3, 0, 30, tzinfo=LOCAL), datetime(2026, 11, 29, 23, 0, tzinfo=LOCAL)],
    ids=lambda d: d.strftime("%H%M"),
)
def test_conveniences_demo(client, instant):
    with time_machine.travel(instant, tick=True):
        out = StringIO()
        call_command("load_demo", "--scale", "small", stdout=out)
        assert "conveniences demo:" in out.getvalue(), out.getvalue()
        demo = Compound.objects.get(code=DEMO_COMPOUND_CODE)
        kinds = set(Service.objects.filter(compound=demo).values_list("kind", flat=True))
        assert kinds == {"slot", "quota", "trip", "print"}
        resident = User.objects.get(username="resident")
        nxt = selectors.next_booking(resident)
        assert nxt is not None and nxt.slot.ends_at > timezone.now()
        titles = [c.title for c in cards_for(resident)]
        assert "我的下一个预约" in titles
        staff = User.objects.get(username="caretaker")
        assert "今日便民服务预约" in [c.title for c in cards_for(staff)]
        assert selectors.print_queue(demo).filter(status=Status.BOOKED).exists()
        assert Booking.objects.filter(status=Status.WAITLISTED).exists()
        assert Suspension.objects.filter(compound=demo).exists()
        end = timezone.localdate()
        start = end - timedelta(days=29)
        assert figures.figure("conveniences.bookings").compute([demo.pk], start, end) > 0
        assert figures.figure("conveniences.no_show_rate").compute([demo.pk], start, end) > 0
        client.force_login(resident)
        page = client.get("/h5/conveniences/")
        assert page.status_code == 200 and "my-booking" in page.content.decode()
