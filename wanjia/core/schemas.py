"""Shared API building blocks: the error body, bounded ids and text, paging.

Every router uses these so that bad input is refused by the schema (a 422 with a
field message) before it can reach the database, where it would be a 500: ids
beyond 64 bits overflow SQLite and PostgreSQL, and PostgreSQL rejects NUL bytes
in text."""

import re
from datetime import date, datetime
from typing import Annotated, Any

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination
from ninja.schema import DjangoGetter
from pydantic import AfterValidator, BeforeValidator, model_validator
from pydantic_core import PydanticCustomError

# The largest id a 64-bit integer column holds (SQLite INTEGER, PostgreSQL bigint).
MAX_ID = 2**63 - 1
# Paging bounds: a page is small enough for a phone, an offset fits any column.
PAGE_DEFAULT = 50
PAGE_MAX = 200
OFFSET_MAX = 10**9


class FieldError(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[FieldError] = []


# Responses every authenticated endpoint may give, for the OpenAPI contract:
# 400 malformed body, 401 no or bad credentials, 403 wrong role (or CSRF),
# 404 missing or outside the caller's scope, 422 a field is wrong.
COMMON_ERRORS = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ErrorOut,
}


def _no_control_chars(value: str) -> str:
    """Refuse NUL and lone surrogates: no database stores them, and no person types them."""
    if "\x00" in value or any("\ud800" <= ch <= "\udfff" for ch in value):
        raise PydanticCustomError("text_control", "text contains characters that cannot be stored")
    return value


def Text(max_length: int, **field: Any):  # noqa: N802 (reads like a type at the use site)
    """A string of at most ``max_length`` characters that the database can store."""
    # The length constraint first, so pydantic checks it as a string length (and the
    # OpenAPI shows maxLength); the character check runs after it.
    return Annotated[str, Field(max_length=max_length, **field), AfterValidator(_no_control_chars)]


class InputSchema(Schema):
    """Base of every request body: it must be a JSON object.

    ninja reads a schema's fields by attribute, so without this a body of ``[]``
    or ``"x"`` passes as an object whose every field is missing (and a body of
    all-optional fields, such as a PATCH, would be accepted)."""

    @model_validator(mode="before")
    @classmethod
    def _must_be_object(cls, data: Any) -> Any:
        raw = data._obj if isinstance(data, DjangoGetter) else data  # ninja's wrapper
        if isinstance(raw, dict | Schema):
            return data
        raise PydanticCustomError("model_type", "input should be an object")


_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_text(value: Any) -> Any:
    """Dates and times only as ISO 8601 text: pydantic would otherwise read a
    number (``0``, ``"1700000000"``) as a Unix timestamp, which nobody means."""
    if isinstance(value, date) or value is None:
        return value
    if isinstance(value, str) and _ISO_DATE.match(value):
        return value
    raise PydanticCustomError("date_type", "use ISO 8601 text")


def _storable_year(value: Any) -> Any:
    if value is not None and not 1900 <= value.year <= 9000:
        raise PydanticCustomError("date_range", "year out of range")
    return value


# A calendar date / a moment, written as ISO 8601 text, years 1900..9000 (any
# database stores them, and time-zone shifts cannot overflow).
Date = Annotated[date, BeforeValidator(_iso_text), AfterValidator(_storable_year)]
DateTime = Annotated[datetime, BeforeValidator(_iso_text), AfterValidator(_storable_year)]


def _not_bool(value: Any) -> Any:
    """JSON ``true``/``false`` are not numbers, though pydantic's lax mode reads
    them as 1 and 0 (``{"household": true}`` would name household 1)."""
    if isinstance(value, bool):
        raise PydanticCustomError("int_type", "input should be an integer")
    return value


def Int(ge: int, le: int, **field: Any):  # noqa: N802 (reads like a type at the use site)
    """A whole number from ``ge`` to ``le``, never a boolean."""
    # The bounds first, so the OpenAPI shows them as minimum/maximum.
    return Annotated[int, Field(ge=ge, le=le, **field), BeforeValidator(_not_bool)]


# A primary key as a path, query or body value: positive and within 64 bits.
Id = Int(1, MAX_ID)


class Paging(LimitOffsetPagination):
    """limit/offset paging with both ends bounded (ninja leaves offset unbounded,
    and an offset past 2**63 is a database error, not an empty page)."""

    class Input(Schema):
        limit: int = Field(PAGE_DEFAULT, ge=1, le=PAGE_MAX, description="每页条数")
        offset: int = Field(0, ge=0, le=OFFSET_MAX, description="跳过的条数")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=PAGE_MAX, **kwargs)


class Rendered:
    """A queryset to hand to ``@paginate(Paging)`` when each row is rendered by a
    function (a dict for the output schema): only the rows of the page asked for
    are rendered. A list built in the handler would render, and query for, every
    row of the table on every request.

    ``paginate`` slices it for the page and takes ``len()`` for the count."""

    def __init__(self, queryset, render) -> None:
        self.queryset = queryset
        self.render = render

    def __len__(self) -> int:
        return self.queryset.count()

    def __getitem__(self, page: slice) -> list:
        return [self.render(row) for row in self.queryset[page]]
