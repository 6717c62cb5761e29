"""Backup and restore (docs/deploy.md): a backup restores into a new database
with the same rows, its encrypted values readable with the backed-up key only,
and its uploaded files back in place. PostgreSQL only (pg_dump/pg_restore)."""

import json
import os
import uuid
from pathlib import Path

import psycopg
import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import CommandError, call_command
from django.db import connection

from wanjia.core.fields import PREFIX
from wanjia.core.management.commands.restore import _conninfo
from wanjia.estates.testing import make_compound, make_resident
from wanjia.settings import database_from_url

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="backup and restore use pg_dump and pg_restore",
    ),
]

ID_NUMBER = "11010519491231002X"


@pytest.fixture
def scratch_url():
    """A new, empty database beside the test database, dropped afterwards."""
    settings_dict = connection.settings_dict
    name = f"restore_{uuid.uuid4().hex[:10]}"
    admin = _conninfo({**settings_dict, "NAME": "postgres"})
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    user = settings_dict.get("USER") or ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    yield f"postgresql://{user}@{host}:{port}/{name}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_restores_into_a_new_database(tmp_path, settings, scratch_url, capsys):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "photos").mkdir(parents=True)
    (settings.MEDIA_ROOT / "photos" / "a.jpg").write_bytes(b"\xff\xd8photo")
    compound = make_compound(buildings=1, floors=1, rooms_per_floor=1)
    resident = make_resident(compound.households.first(), id_number=ID_NUMBER)

    call_command("backup", str(tmp_path / "backups"))
    folder = Path(capsys.readouterr().out.strip())
    assert sorted(p.name for p in folder.iterdir()) == [
        "db.dump",
        "keys.env",
        "manifest.json",
        "media.tar",
    ]
    assert oct((folder / "keys.env").stat().st_mode & 0o777) == "0o600"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["rows"]["estates_resident"] == 1

    restored_media = tmp_path / "restored-media"
    call_command("restore", str(folder), database_url=scratch_url, media_root=str(restored_media))
    out = capsys.readouterr().out
    assert "FIELD_ENCRYPTION_KEY=" in out
    assert (restored_media / "photos" / "a.jpg").read_bytes() == b"\xff\xd8photo"

    keys = dict(
        line.split("=", 1) for line in (folder / "keys.env").read_text().splitlines() if line
    )
    with psycopg.connect(_conninfo(database_from_url(scratch_url))) as conn:
        (stored,) = conn.execute(
            "SELECT id_number FROM estates_resident WHERE id = %s", [resident.pk]
        ).fetchone()
    assert ID_NUMBER not in stored  # ciphertext at rest, in the dump too
    token = stored.removeprefix(PREFIX).encode()
    first_key = keys["FIELD_ENCRYPTION_KEY"].split(",")[0]
    assert Fernet(first_key.encode()).decrypt(token).decode() == ID_NUMBER
    with pytest.raises(InvalidToken):
        Fernet(Fernet.generate_key()).decrypt(token)

    # restoring over the restored database is refused without --clean, allowed with it
    with pytest.raises(CommandError, match="already holds"):
        call_command(
            "restore", str(folder), database_url=scratch_url, media_root=str(restored_media)
        )
    call_command(
        "restore", str(folder), database_url=scratch_url, media_root=str(restored_media), clean=True
    )


def test_restore_refuses_what_is_not_a_backup(tmp_path, scratch_url):
    with pytest.raises(CommandError, match="not a backup"):
        call_command("restore", str(tmp_path), database_url=scratch_url)
    for name in ("db.dump", "media.tar", "keys.env", "manifest.json"):
        (tmp_path / name).write_text("")
    with pytest.raises(CommandError, match="postgresql"):
        call_command("restore", str(tmp_path), database_url="mysql://x/y")
