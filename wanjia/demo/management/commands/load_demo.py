"""``manage.py load_demo``: load 清溪市, the fictional demo city, and its accounts.

* Deterministic: every person, building and number comes from ``random.Random``
  seeded with fixed strings (see ``wanjia.demo.city.SEED``); two loads give the
  same names, phones, ID numbers and flags. Only ciphertext, primary keys and
  timestamps differ.
* Idempotent: the city's region (code ``QX``) marks a loaded city. A second run
  says so and leaves the base city untouched, whatever ``--scale`` it is given.
* Fast: ``bulk_create`` in batches inside one transaction, with the values the
  estates services would compute.
* ``--scale full`` (default): 2 districts, 6 streets, 12 communities, 6 property
  companies, 25 compounds (one large public-rental compound co-managed by the
  housing authority), ~290 buildings, ~12,500 households, ~30,000 residents.
  ``--scale small``: the demo compound QX-A01 and QX-A02 (another company's), three buildings each,
  a few hundred residents, every account; for tests and quick looks.
* ``--no-modules``: load the base city only.

Contract for other apps' demo data (market, disputes, party, delivery, ...)
----------------------------------------------------------------------------
1. An app that wants demo data adds a module ``wanjia/demo/fixtures/<app label>.py`` with
   ``def load(*, stdout) -> None``. Nothing else registers it.
2. ``load_demo`` imports ``wanjia.demo.fixtures.<label>`` for every installed ``wanjia.*``
   app that has one, in ``INSTALLED_APPS`` order, after the base city exists,
   and calls ``load(stdout=self.stdout)``, each call inside its own
   ``transaction.atomic()``. It does so on every run, also when the base city
   was already there, so a module added later gets loaded by the next run.
3. ``load`` must therefore be idempotent on its own: find its own earlier rows
   (by a code, a name, a marker) and return without writing when they exist.
4. Reach the city through ``wanjia.demo.constants``: the compound with code
   ``DEMO_COMPOUND_CODE`` ("QX-A01") and the users named in ``ACCOUNTS`` (password
   ``DEMO_PASSWORD``). It must work at both scales: at ``--scale small`` only
   QX-A01 and QX-A02 exist, with three buildings each, so take other compounds
   from ``Compound.objects.filter(code__startswith="QX-")`` rather than by code.
5. Be deterministic: a ``random.Random`` with a fixed seed string. Dates may be
   relative to today (today's orders, this week's duty roster) so the demo looks
   alive on any day.
6. Write through the app's services where the volume allows (they audit and
   validate), ``bulk_create`` with the values the services would compute where it
   does not. Write a progress line or two with ``stdout.write``.
7. An exception rolls back that module's transaction only; the other modules
   still run, and ``load_demo`` then prints the traceback and exits with an error.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from wanjia.core.models import Membership
from wanjia.core.pii import mask_phone
from wanjia.demo import hooks
from wanjia.demo.city import CITY_CODE, CITY_NAME, SCALES
from wanjia.demo.constants import ACCOUNTS, DEMO_PASSWORD
from wanjia.demo.loader import CityLoader, is_loaded


class Command(BaseCommand):
    help = "Load the fictional demo city 清溪市 and its accounts (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="full")
        parser.add_argument("--no-modules", action="store_true", help="load the base city only")

    def handle(self, *args, scale: str, no_modules: bool, **options):
        started = time.perf_counter()
        if is_loaded():
            self.stdout.write(
                f"{CITY_NAME} is already loaded (region {CITY_CODE} exists); base city unchanged."
            )
        else:
            self.stdout.write(f"Loading {CITY_NAME} (scale {scale})...")
            counts = CityLoader(SCALES[scale], log=self.stdout.write).run()
            self.stdout.write("  " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        failures = [] if no_modules else self._modules()
        self._print_accounts()
        self.stdout.write(f"Done in {time.perf_counter() - started:.1f}s.")
        if failures:
            raise CommandError(
                "demo data of these apps failed and were rolled back: " + ", ".join(failures)
            )

    def _modules(self) -> list[str]:
        results = hooks.run_demo_modules(self.stdout)
        if not results:
            self.stdout.write("No app has a demo module.")
        for r in results:
            if r.ok:
                self.stdout.write(f"  module {r.module}: ok")
            else:
                self.stderr.write(f"  module {r.module}: FAILED\n{r.error}")
        return [r.app for r in results if not r.ok]

    def _print_accounts(self) -> None:
        memberships = (
            Membership.objects.filter(user__username__in=ACCOUNTS)
            .select_related("user", "region", "company", "compound", "building", "household")
            .order_by("user__username")
        )
        by_user = {m.user.username: m for m in memberships}
        self.stdout.write(f"Demo accounts (password {DEMO_PASSWORD}):")
        for username in ACCOUNTS:
            m = by_user.get(username)
            if m is None:
                self.stdout.write(f"  {username:<16} (missing)")
                continue
            self.stdout.write(
                f"  {username:<16} {m.get_role_display()} · {m.get_scope_type_display()} "
                f"{m.scope_label} · {m.user.display_name} · {mask_phone(m.user.phone) or '-'}"
            )
