"""``manage.py restore BACKUP --database-url postgresql://.../NAME``: put a
``manage.py backup`` folder back into an empty (or new) PostgreSQL database,
its files into ``--media-root`` (default: this site's MEDIA_ROOT), and check
the restored row counts against the backup's manifest.

The keys are not installed for you: ``keys.env`` is printed as the lines to put
into the restored site's environment (or its ``var/`` files) — a restore onto a
machine that keeps other keys must not silently replace them.

Refuses a target database that already holds Wanjia tables unless ``--clean``
(which drops what the dump will recreate)."""

import json
import subprocess
import tarfile
from pathlib import Path

import psycopg
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from wanjia.settings import database_from_url

from .backup import COUNTED, libpq_env


class Command(BaseCommand):
    help = "Restore a backup folder into a PostgreSQL database and check its row counts."

    def add_arguments(self, parser):
        parser.add_argument("backup", help="a wanjia-<time> folder made by manage.py backup")
        parser.add_argument("--database-url", required=True)
        parser.add_argument("--media-root", default=str(settings.MEDIA_ROOT))
        parser.add_argument("--clean", action="store_true")

    def handle(self, *args, backup, database_url, media_root, clean, **options):
        folder = Path(backup)
        for name in ("db.dump", "media.tar", "keys.env", "manifest.json"):
            if not (folder / name).exists():
                raise CommandError(f"{folder} is not a backup: {name} is missing.")
        try:
            target = database_from_url(database_url)
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from None
        if "sqlite" in target["ENGINE"]:
            raise CommandError("restore needs a postgresql:// database URL.")
        conninfo = _conninfo(target)
        if not clean and _has_tables(conninfo):
            raise CommandError(
                f"database {target['NAME']} already holds Wanjia tables; "
                "restore into an empty database, or pass --clean."
            )
        conn_args, env = libpq_env(target)
        subprocess.run(
            [
                "pg_restore",
                "--no-owner",
                "--exit-on-error",
                "--single-transaction",
                *(["--clean", "--if-exists"] if clean else []),
                *conn_args,
                str(folder / "db.dump"),
            ],
            env=env,
            check=True,
        )
        media = Path(media_root)
        media.mkdir(parents=True, exist_ok=True)
        with tarfile.open(folder / "media.tar") as tar:
            members = [m for m in tar.getmembers() if m.name.startswith("media")]
            for member in members:
                member.name = member.name.removeprefix("media").lstrip("/") or "."
            tar.extractall(media, members=members, filter="data")
        expected = json.loads((folder / "manifest.json").read_text())["rows"]
        found = _row_counts(conninfo)
        wrong = {t: (expected[t], found.get(t)) for t in expected if found.get(t) != expected[t]}
        if wrong:
            raise CommandError(f"restored row counts differ from the backup's: {wrong}")
        self.stdout.write(f"Restored {target['NAME']}: rows as in the backup {expected}.")
        self.stdout.write("Set these keys in the restored site's environment:")
        self.stdout.write((folder / "keys.env").read_text().rstrip())


def _conninfo(target: dict) -> str:
    parts = {
        "dbname": target["NAME"],
        "host": target.get("HOST"),
        "port": target.get("PORT"),
        "user": target.get("USER"),
        "password": target.get("PASSWORD"),
    }
    return psycopg.conninfo.make_conninfo(**{k: str(v) for k, v in parts.items() if v})


def _has_tables(conninfo: str) -> bool:
    with psycopg.connect(conninfo) as conn:
        row = conn.execute(
            "SELECT COUNT(*) FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_name = 'django_migrations'"
        ).fetchone()
    return bool(row[0])


def _row_counts(conninfo: str) -> dict[str, int]:
    with psycopg.connect(conninfo) as conn:
        return {
            table: conn.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]  # noqa: S608 (COUNTED)
            for table in COUNTED
        }
