"""``manage.py supervision_rollup --from 2026-01 --to 2026-12``: (re)compute the
supervision rollups of a range of months (default: this month), then the
credit scores of the same months when the credit area is installed."""

from django.core.management.base import BaseCommand, CommandError

from wanjia.core.errors import Invalid
from wanjia.supervision.rollups.services import (
    current_period,
    parse_period,
    previous_period,
    rollup_month,
)


class Command(BaseCommand):
    help = "Compute supervision rollups for a range of months."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="first", default="")
        parser.add_argument("--to", dest="last", default="")

    def handle(self, *args, first, last, **options):
        try:
            last = parse_period(last or current_period(), field="to")
            first = parse_period(first or last, field="from")
        except Invalid as exc:
            raise CommandError("; ".join(m for ms in exc.errors.values() for m in ms)) from None
        if first > last:
            raise CommandError("--from is after --to")
        months, period = [], last
        while period >= first:
            months.append(period)
            period = previous_period(period)
        for period in reversed(months):
            run = rollup_month(period)
            self.stdout.write(
                f"{period}: {run.rows} rows, {run.compounds} compounds, {run.seconds}s"
            )
