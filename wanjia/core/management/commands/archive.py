"""``manage.py archive``: the operator's hand on the retention (core.retention).

    manage.py archive --list
    manage.py archive --table audit --before 2024-01 --dry-run
    manage.py archive --table audit --before 2024-01
    manage.py archive --due            # what the daily job does
    manage.py archive --table audit --restore 2023-05   # a month back, until the next night

Every month of the table before ``--before`` is written to
``WANJIA_ARCHIVE_DIR/<table>/<YYYY-MM>.jsonl.gz`` with its manifest (rows,
SHA-256), then deleted. Restore a month with ``manage.py loaddata <file>``
(docs/deploy.md, "Growth and retention")."""

from django.core.management.base import BaseCommand, CommandError

from wanjia.core import retention


class Command(BaseCommand):
    help = "Archive (then delete) a table's months past retention; see docs/deploy.md."

    def add_arguments(self, parser):
        parser.add_argument("--table", default="", help="a registered table (see --list)")
        parser.add_argument("--before", default="", help="archive the months before YYYY-MM")
        parser.add_argument("--dry-run", action="store_true", help="count, write nothing")
        parser.add_argument("--list", action="store_true", help="the registered tables")
        parser.add_argument("--due", action="store_true", help="run the daily job now")
        parser.add_argument(
            "--restore", default="", metavar="YYYY-MM", help="put an archived month back"
        )

    def handle(self, *args, table, before, dry_run, due, restore, **options):
        if options["list"]:
            for t in retention.tables():
                months = t.retention()
                keep = f"{months} months" if months else "kept forever"
                first = retention.due_before(t)
                self.stdout.write(
                    f"{t.key}\t{t.model_label}.{t.field}\t{keep}\t({t.note})"
                    + (f"\tarchives before {first}" if first else "")
                )
            return
        if due:
            pruned = retention.prune_operational()
            self.stdout.write("pruned " + ", ".join(f"{k} {v}" for k, v in pruned.items()))
            for r in retention.archive_due():
                self._report(r, dry_run=False)
            return
        if restore:
            if not table:
                raise CommandError("give --table with --restore")
            try:
                n = retention.restore_month(table, restore)
            except retention.ArchiveError as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(
                f"{table} {restore}: {n} rows restored (the next nightly run archives them again)"
            )
            return
        if not table or not before:
            raise CommandError("give --table and --before YYYY-MM (or --list, or --due)")
        try:
            results = retention.archive_table(table, before, dry_run=dry_run)
        except retention.ArchiveError as exc:
            raise CommandError(str(exc)) from None
        if not results:
            self.stdout.write(f"{table}: nothing before {before}")
        for r in results:
            self._report(r, dry_run=dry_run)

    def _report(self, r, *, dry_run: bool) -> None:
        if dry_run:
            self.stdout.write(f"{r.table} {r.period}: {r.rows} rows would be archived")
        else:
            files = ", ".join(r.parts) or "no new file"
            self.stdout.write(
                f"{r.table} {r.period}: {r.archived} rows archived ({files}), {r.deleted} deleted"
            )
