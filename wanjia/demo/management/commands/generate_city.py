"""``manage.py generate_city``: a plausible city of any size, through COPY.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/citygen_1m \\
        manage.py generate_city --households 1000000 --seed 1

PostgreSQL only, into a freshly migrated database. Deterministic: the same
``--seed`` (and sizes and ``--clock``) gives the same rows and ids; only the
Fernet ciphertext of ID numbers and health notes differs (Fernet draws a fresh
IV each time), the clear text is the same. Resumable: each compound is one
transaction recorded in ``citygen_chunk``; running the same command again
continues where a killed run stopped, and adds nothing to a finished city.
See docs/city-scale.md ("Generating a city") for what is generated."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from wanjia.demo.citygen import plan as P
from wanjia.demo.citygen import runner


class Command(BaseCommand):
    help = "Generate a city of N households into PostgreSQL through COPY (resumable)."

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, default=1_000_000)
        parser.add_argument("--seed", default="1")
        parser.add_argument(
            "--events-per-household", type=float, default=1.0, dest="events",
            help="scale every event rate (1 = the defaults in wanjia/demo/citygen/plan.py)",
        )  # fmt: skip
        parser.add_argument(
            "--clock", help="YYYY-MM-DD: events fill the 365 days before it (default: today)"
        )
        parser.add_argument(
            "--limit", type=int, help="write at most this many compounds, then stop"
        )

    def handle(self, *args, households, seed, events, clock, limit, **options):
        if households < 1 or households > 2_000_000:
            raise CommandError("--households must be between 1 and 2,000,000")
        if events < 0:
            raise CommandError("--events-per-household must not be negative")
        try:
            day = date.fromisoformat(clock) if clock else None
        except ValueError:
            raise CommandError("--clock must be a date, YYYY-MM-DD") from None
        plan = runner.settle_plan(seed=seed, households=households, clock=day, events=events)
        self.stdout.write(
            f"city of {plan.households:,} households in {plan.compounds:,} compounds, "
            f"seed {plan.seed!r}, events in the year before {plan.clock}"
        )
        out = runner.run(plan, log=self.stdout.write, limit=limit)
        self.stdout.write("rows per table:")
        for table, n in sorted(out["rows"].items()):
            self.stdout.write(f"  {table:32} {n:>12,}")
        self.stdout.write(
            f"total {sum(out['rows'].values()):,} rows; this run {out['seconds']:.0f}s "
            f"(all runs {out['chunk_seconds']:.0f}s); database "
            f"{out['bytes'] / 2**20:,.0f} MB" + ("" if out["finished"] else "; NOT finished")
        )
        _ = P  # the rates live in plan.py
