"""The satisfaction API (the names the issue fixes).

``POST /api/v1/ratings`` {"subject": "<kind>:<id>", "level": 1..5, "comment"?}:
5 is 非常满意, 1 非常不满意. 201 with the rating; 404 when the subject is not
one of the caller's households' (or does not exist); 409 when it is not
finished, out of its 7-day window, or rated already; 422 for a bad level. An
``Idempotency-Key`` header is honoured when given (a retry gets the first 201
back); without one, a retry answers 409.

``GET /api/v1/satisfaction?compound=ID`` → {"index", "ratings",
"unhappy_open", "formula"} over the last 90 days."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from ninja import Query, Router, Schema

from wanjia.core.idempotency import (
    answer_once,
)
from wanjia.core.schemas import COMMON_ERRORS, ErrorOut, Id, InputSchema, Int, Text

from . import access, selectors, services

router = Router(tags=["feedback"])


class RatingIn(InputSchema):
    subject: Text(60)
    level: Int(1, 5)
    comment: Text(500) = ""


class LoopOut(Schema):
    stage: str
    call_due: str
    fix_due: str


class RatingOut(Schema):
    id: int
    subject: str
    level: int
    comment: str
    rated_at: str
    loop: LoopOut | None


class SatisfactionFilter(Schema):
    compound: Id


class SatisfactionOut(Schema):
    index: float | None
    ratings: int
    unhappy_open: int
    formula: str


def _out(rating) -> dict:
    loop = getattr(rating, "loop", None)
    return {
        "id": rating.pk,
        "subject": f"{rating.kind}:{rating.subject_id}",
        "level": rating.level,
        "comment": rating.comment,
        "rated_at": rating.rated_at.isoformat(),
        "loop": {
            "stage": loop.stage,
            "call_due": loop.call_due.isoformat(),
            "fix_due": loop.fix_due.isoformat(),
        }
        if loop
        else None,
    }


@router.post(
    "/ratings",
    response={201: RatingOut, 400: ErrorOut, **COMMON_ERRORS},
    summary="评价一件办结的事（每户一次，办结后 7 天内）",
)
def rating_create(request, payload: RatingIn, response: HttpResponse):
    user = request.auth
    if not access.rates_anywhere(user):
        raise PermissionDenied

    def give():
        rating = services.rating_give(
            actor=user, subject=payload.subject, level=payload.level, comment=payload.comment
        )
        return 201, _out(rating)

    return answer_once(
        request,
        response,
        scope="feedback.rating.give",
        payload=payload.model_dump(mode="json"),
        run=give,
    )


@router.get(
    "/satisfaction",
    response={200: SatisfactionOut, **COMMON_ERRORS},
    summary="小区满意度指数（近 90 天）",
)
def satisfaction(request, filters: Query[SatisfactionFilter]):
    user = request.auth
    if not access.views_anywhere(user):
        raise PermissionDenied
    compound = selectors.get_or_404(selectors.compounds_seen(user), pk=filters.compound)
    if not access.can_view(user, compound):
        raise PermissionDenied
    return selectors.satisfaction(compound)
