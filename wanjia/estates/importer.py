"""Excel import of one compound's buildings, units, households and residents.

The contract, in the order it runs:

1. Read the first sheet with openpyxl ``read_only=True`` (streaming, so a
   100,000-row file never sits in memory as cells) and check every cell; each
   problem becomes one ``(row, column, message)`` naming the Excel row number and
   the column header as the user sees them in their file.
2. Check what depends on the database (same-named resident already in the room,
   ID number already registered, floor above an existing building's height).
3. Only when the whole file is clean, write everything in one transaction with
   ``bulk_create`` in batches: buildings, units and households are created when
   missing and reused when present (never modified), residents are appended.

Step 2 runs again inside the write transaction, after the compound row is
locked, so two imports of the same file cannot both pass it.

Speed: the file is read once. Rows are kept as small tuples between validation
and writing; buildings, units and households go through ``bulk_create``, but
residents (most of the rows) are inserted as plain value tuples with
``executemany`` (see ``_create_residents``). Pinyin is memoised per name
(households share surnames, a compound shares many names).

Where it lives: ``import_cells`` (one cell), ``import_check`` (the sheet, step 1),
``import_write`` (steps 2 and 3); this module runs them in order."""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from wanjia.core.audit import audit
from wanjia.core.models import Compound
from wanjia.core.scoping import can

from .figures import tally_forget
from .import_check import (
    Progress,
    _Validator,
    validate_file,
)
from .import_write import (
    RESIDENT_COLUMNS,  # noqa: F401  (kept importable from here)
    _check_against_database,
    _Existing,
    _write,
)


@dataclass
class ImportResult:
    ok: bool
    rows: int = 0
    errors: list = field(default_factory=list)  # [(row | None, column, message)]
    error_count: int = 0
    created: dict = field(default_factory=dict)
    reused: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "ok": self.ok,
            "rows": self.rows,
            "errors": [{"row": r, "column": c, "message": m} for r, c, m in self.errors],
            "error_count": self.error_count,
            "created": self.created,
            "reused": self.reused,
        }


def _rejected(v: _Validator) -> ImportResult:
    errors = sorted(v.errors, key=lambda e: e[0] or 0)
    return ImportResult(ok=False, rows=v.rows, errors=errors, error_count=v.error_count)


def residents_import(
    *,
    actor,
    compound: Compound,
    path,
    filename: str = "",
    on_progress: Progress | None = None,
    ip: str | None = None,
) -> ImportResult:
    """Import the .xlsx at ``path`` into ``compound``: all of it, or nothing.

    Returns the counts created and reused, or every problem found (row, column,
    message). Raises PermissionDenied for a role without ``estates.import``."""
    if not can(actor, "estates.import", compound=compound):
        raise PermissionDenied
    v = validate_file(path, on_progress=on_progress)
    if v.error_count:
        if v.residents or v.households:  # report database conflicts in the same pass
            _check_against_database(v, _Existing.load(compound))
        return _rejected(v)
    try:
        with transaction.atomic():
            # Serialise imports into one compound (PostgreSQL; SQLite's
            # IMMEDIATE transactions already do), then re-check under the lock.
            list(Compound.objects.select_for_update().filter(pk=compound.pk).values("pk"))
            existing = _Existing.load(compound)
            _check_against_database(v, existing)
            if v.error_count:
                return _rejected(v)
            created, reused = _write(v, existing, compound, on_progress)
            tally_forget(compound.pk)  # bulk inserts send no signals
            audit(
                actor=actor,
                action="estates.import.completed",
                obj=compound,
                compound=compound,
                detail={
                    "file": filename[:200],
                    "rows": v.rows,
                    "created": created,
                    "reused": reused,
                },
                ip=ip,
            )
    except IntegrityError:
        v.error(None, "", _("导入时与同时进行的修改冲突，未导入任何数据，请重新上传。"))
        return _rejected(v)
    return ImportResult(ok=True, rows=v.rows, created=created, reused=reused)
