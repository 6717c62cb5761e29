"""What the market endpoints share: the router, the error map and the 409 for a conflict with the state of things."""

from functools import wraps

from ninja import Router, Status

from wanjia.core.schemas import (
    COMMON_ERRORS,
    ErrorOut,
)

from ..errors import Conflict

router = Router(tags=["market"])

WRITE_ERRORS = {**COMMON_ERRORS, 409: ErrorOut}


def _error(detail: str, errors: list[dict] | None = None) -> dict:
    return {"detail": detail, "errors": errors or []}


def conflicts_as_409(view):
    """Turn the market's ``Conflict`` into a 409 with the usual error body."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Conflict as exc:
            return Status(409, _error(exc.message, [{"field": exc.field, "message": exc.message}]))

    return wrapper
