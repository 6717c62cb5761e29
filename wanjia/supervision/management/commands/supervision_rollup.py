"""``manage.py supervision_rollup --from 2026-01 --to 2026-12``: (re)compute the
supervision rollups of a range of months (default: this month), then the
credit scores of the same months when the credit area is installed.

A month whose rows a table has moved to the archive (core.retention) is
refused unless ``--force``: its rollups were computed while the rows were
there, and recomputing now would count without them. Restore the month
first (``manage.py archive --table … --restore YYYY-MM``)."""

from django.core.management.base import BaseCommand, CommandError

from wanjia.core import retention
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
        parser.add_argument(
            "--force", action="store_true", help="recompute months whose rows are archived"
        )

    def handle(self, *args, first, last, force=False, **options):
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
        archived = {
            period: [
                t.key for t in retention.tables() if retention.read_manifest(t, period)["parts"]
            ]
            for period in months
        }
        refused = {p: keys for p, keys in archived.items() if keys}
        if refused and not force:
            raise CommandError(
                "archived rows in "
                + "; ".join(f"{p} ({', '.join(keys)})" for p, keys in sorted(refused.items()))
                + ": restore them first (manage.py archive --table KEY --restore YYYY-MM)"
                " or pass --force"
            )
        for period in reversed(months):
            run = rollup_month(period)
            self.stdout.write(
                f"{period}: {run.rows} rows, {run.compounds} compounds, {run.seconds}s"
            )
