"""Model instances from the rows of a plain SQL statement that joins several
tables, for the few hot paths where one statement must stand for several ORM
queries (the bearer token with its user and memberships; a guard's check-in).

``columns(Model, "t")`` is the select list of every concrete field of the
model's table under alias ``t``; ``load(Model, values)`` turns those values
back into an instance the way the ORM's compiler does (the backend's and the
field's converters: SQLite's text datetimes, booleans, decimals, JSON), so the
objects behave exactly like ones the ORM loaded."""

from functools import cache

from django.db import connection


def columns(model, alias: str) -> str:
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(f.column)}" for f in model._meta.concrete_fields)


def width(model) -> int:
    return len(model._meta.concrete_fields)


@cache
def _converters(model, vendor: str) -> tuple:
    out = []
    for field in model._meta.concrete_fields:
        col = field.get_col(model._meta.db_table)
        convs = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
        out.append((col, tuple(convs)))
    fields = model._meta.concrete_fields
    return tuple(out), [f.attname for f in fields], fields.index(model._meta.pk)


def load(model, values):
    """An instance of ``model`` from its ``columns`` values; None when the row
    has none (the primary key is NULL: an outer join found nothing)."""
    convs, names, pk = _converters(model, connection.vendor)
    if values[pk] is None:
        return None
    converted = []
    for value, (col, funcs) in zip(values, convs, strict=True):
        for func in funcs:
            value = func(value, col, connection)
        converted.append(value)
    return model.from_db(connection.alias, names, converted)


def select(models: list[tuple], tail: str, params: list) -> list[tuple]:
    """``SELECT`` every column of each ``(model, alias)`` then ``tail`` (the
    ``FROM ... WHERE ...``); each row as a tuple of instances, one per model
    (None where an outer join found nothing)."""
    statement = f"SELECT {', '.join(columns(m, a) for m, a in models)} {tail}"
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        found = cursor.fetchall()
    out = []
    for row in found:
        at, objs = 0, []
        for model, _alias in models:
            objs.append(load(model, row[at : at + width(model)]))
            at += width(model)
        out.append(tuple(objs))
    return out


def value(model, name: str, raw):
    """One column's value as the ORM would give it."""
    convs, names, _pk = _converters(model, connection.vendor)
    col, funcs = convs[names.index(model._meta.get_field(name).attname)]
    for func in funcs:
        raw = func(raw, col, connection)
    return raw


def insert_from(obj, source: str, **sql) -> tuple[str, list]:
    """``INSERT INTO <obj's table> (...) SELECT ... FROM source``: the row the
    ORM would insert for the unsaved ``obj`` (its fields' defaults and
    database values, as ``save()`` prepares them), but for the columns named
    in ``sql``, which take SQL expressions over ``source`` (``order_id="o.id"``,
    or ``(expression, params)``);
    for a hot path that writes a record and what hangs off it in one
    statement. The primary key is left to the database."""
    quote = connection.ops.quote_name
    columns, values, params = [], [], []
    for field in obj._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(quote(field.column))
        if field.attname in sql:
            given = sql[field.attname]
            expression, more = given if isinstance(given, tuple) else (given, [])
            values.append(expression)
            params.extend(more)
        else:
            values.append("%s")
            params.append(field.get_db_prep_save(field.pre_save(obj, True), connection))
    statement = (
        f"INSERT INTO {quote(obj._meta.db_table)} ({', '.join(columns)})"  # noqa: S608 (names are ours)
        f" SELECT {', '.join(values)} FROM {source}"
    )
    return statement, params
