"""Rows into PostgreSQL through ``COPY ... FROM STDIN``, column names from ``_meta``.

A row is a dict keyed by field ``attname`` (``compound_id``, ``created_at``).
Every concrete field the row leaves out is filled the way the ORM would fill
it: its default (a ``timezone.now`` default and ``auto_now`` fields take the
row's ``clock``), ``None`` where it is nullable, ``""`` where a text field may
be blank. A required field with none of those raises, naming the model and
the field, so a field added to a model later fails the generator loudly
instead of writing a wrong row. A key that is no field of the model raises too.

Encrypted fields go through the field's own ``get_prep_value`` (Fernet with
``FIELD_ENCRYPTION_KEY``, ``enc1:`` prefix): the stored text is exactly what
``Model.save`` stores, so ``from_db_value`` decrypts it."""

import json
from collections import defaultdict
from datetime import datetime

from django.db import models
from django.db.models import NOT_PROVIDED
from django.utils import timezone

from wanjia.core.fields import EncryptedTextField

_MISSING = object()


class TableSpec:
    """The columns of one model and how to fill each when a row omits it."""

    def __init__(self, model):
        self.model = model
        self.table = model._meta.db_table
        self.fields = list(model._meta.concrete_fields)
        self.attnames = [f.attname for f in self.fields]
        self.known = set(self.attnames)
        self.columns = [f.column for f in self.fields]
        self.sql = 'COPY "{}" ({}) FROM STDIN'.format(
            self.table, ", ".join(f'"{c}"' for c in self.columns)
        )
        self.fillers = [self._filler(f) for f in self.fields]
        self.converters = [self._converter(f) for f in self.fields]

    def _filler(self, f):
        """A callable ``(clock) -> value`` for an omitted field, or _MISSING."""
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            return lambda clock: clock
        if f.default is not NOT_PROVIDED:
            if f.default is timezone.now:
                return lambda clock: clock
            if callable(f.default):
                return lambda clock, d=f.default: d()
            return lambda clock, d=f.default: d
        if f.null:
            return lambda clock: None
        if f.blank and isinstance(f, (models.CharField, models.TextField, models.FileField)):
            return lambda clock: ""
        return _MISSING

    @staticmethod
    def _converter(f):
        if isinstance(f, EncryptedTextField):
            return lambda v, f=f: f.get_prep_value(v) if v else (v or "")
        if isinstance(f, models.JSONField):
            return lambda v: None if v is None else json.dumps(v, ensure_ascii=False)
        return None

    def values(self, row: dict, clock: datetime) -> list:
        extra = row.keys() - self.known
        if extra:
            raise ValueError(f"{self.model._meta.label} has no field {sorted(extra)}")
        out = []
        for name, fill, conv in zip(self.attnames, self.fillers, self.converters, strict=True):
            value = row.get(name, _MISSING)
            if value is _MISSING:
                if fill is _MISSING:
                    raise ValueError(
                        f"citygen does not fill {self.model._meta.label}.{name}, which is required"
                    )
                value = fill(clock)
            if conv is not None:
                value = conv(value)
            out.append(value)
        return out


_SPECS: dict = {}


def spec(model) -> TableSpec:
    if model not in _SPECS:
        _SPECS[model] = TableSpec(model)
    return _SPECS[model]


class Batch:
    """Rows collected for several tables, written with one COPY per table."""

    def __init__(self, clock: datetime):
        self.clock = clock
        self.rows: dict = defaultdict(list)
        self.order: list = []  # models in first-seen order: parents before children

    def add(self, model, **row) -> None:
        if model not in self.rows:
            self.order.append(model)
        self.rows[model].append(spec(model).values(row, self.clock))

    def count(self, model) -> int:
        return len(self.rows.get(model, ()))

    def write(self, cursor) -> dict:
        """COPY every table's rows through a psycopg 3 cursor; returns rows per table."""
        written = {}
        for model in self.order:
            s = spec(model)
            rows = self.rows[model]
            with cursor.copy(s.sql) as copy:
                for values in rows:
                    copy.write_row(values)
            written[s.table] = len(rows)
        self.rows.clear()
        self.order.clear()
        return written
