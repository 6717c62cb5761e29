"""``manage.py backup DIR``: one restorable copy of a Wanjia site in a new folder
``DIR/wanjia-<UTC time>/``:

- ``db.dump``: ``pg_dump --format=custom`` of the database (PostgreSQL only: a
  SQLite trial is backed up by copying ``var/``);
- ``media.tar``: the uploaded files (photos, print jobs, attachments);
- ``keys.env``: SECRET_KEY, FIELD_ENCRYPTION_KEY and LOOKUP_HASH_KEY, mode 0600.
  Without FIELD_ENCRYPTION_KEY the encrypted ID numbers and health notes in the
  dump cannot be read: keep ``keys.env`` apart from the dumps (another vault),
  and never in the same place as a copy of the dump.
- ``manifest.json``: when, the migrations applied, the row counts of the main
  tables, so a restore can be checked.

Restore with ``manage.py restore DIR/wanjia-<time> --database-url ...``
(docs/deploy.md)."""

import json
import os
import subprocess
import tarfile
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

# tables whose row counts the manifest records (a restore is checked against them)
COUNTED = (
    "core_user",
    "estates_compound",
    "estates_household",
    "estates_resident",
    "core_auditlog",
)


def libpq_env(settings_dict: dict) -> tuple[list[str], dict]:
    """Connection arguments and environment for pg_dump/pg_restore/psql."""
    args = ["--dbname", settings_dict["NAME"]]
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return args, env


def row_counts() -> dict[str, int]:
    counts = {}
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table in COUNTED:
            if table in existing:
                cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 (names from COUNTED only)
                counts[table] = cursor.fetchone()[0]
    return counts


class Command(BaseCommand):
    help = "Back up the database, the uploaded files and the keys into a new folder."

    def add_arguments(self, parser):
        parser.add_argument("dest", help="folder that receives wanjia-<UTC time>/")

    def handle(self, *args, dest, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                "backup needs PostgreSQL; a SQLite trial is backed up by copying var/."
            )
        out = Path(dest) / f"wanjia-{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}"
        out.mkdir(parents=True)
        conn_args, env = libpq_env(connection.settings_dict)
        subprocess.run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--file",
                str(out / "db.dump"),
                *conn_args,
            ],
            env=env,
            check=True,
        )
        media = Path(settings.MEDIA_ROOT)
        with tarfile.open(out / "media.tar", "w") as tar:
            if media.exists():
                tar.add(media, arcname="media")
        keys = out / "keys.env"
        keys.touch(mode=0o600)
        keys.write_text(
            "".join(
                f"{name}={getattr(settings, name)}\n"
                for name in ("SECRET_KEY", "FIELD_ENCRYPTION_KEY", "LOOKUP_HASH_KEY")
            )
        )
        applied = MigrationRecorder(connection).applied_migrations()
        manifest = {
            "taken_at": datetime.now(UTC).isoformat(),
            "database": connection.settings_dict["NAME"],
            "migrations": sorted(f"{app}.{name}" for app, name in applied),
            "rows": row_counts(),
        }
        (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
        self.stdout.write(str(out))
