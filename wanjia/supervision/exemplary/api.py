"""The exemplary cases' API under /api/v1/supervision/.

- ``GET /cases``: the published cases, for anyone (no login): only what the
  public page shows.
- ``POST /nominations``: nominate a record (``source`` = its key, e.g.
  ``"volunteers.thanks:12"``) with the publishing form; honours
  ``Idempotency-Key`` (a retry answers the first body and makes no second
  nomination).
- ``GET /nominations`` and ``GET /nominations/{id}``: the nominations of the
  caller's compounds (the regulator: its region's); another compound's is a
  404 like a missing id."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import reverse
from ninja import Query, Router, Schema
from pydantic import Field

from wanjia.core.idempotency import (
    HEADER,
    answer_once,
)
from wanjia.core.schemas import COMMON_ERRORS, ErrorOut, Id, Int

from . import access, selectors, services

router = Router(tags=["supervision"])
WRITE_ERRORS = {**COMMON_ERRORS, 409: ErrorOut}


class PublicCase(Schema):
    id: int
    title: str
    people: str
    citation: str
    compound: str
    company: str
    happened_on: str
    published_at: str
    url: str
    photos: list[str]


class PublicList(Schema):
    items: list[PublicCase]
    count: int


class Paging(Schema):
    limit: Int(1, 100) = 20
    offset: Int(0, 100000) = 0


class NominationIn(Schema):
    source: str = Field(min_length=3, max_length=80)
    title: str = Field(max_length=200)
    people: str = Field(max_length=200)
    citation: str = Field(max_length=5000)


class NominationOut(Schema):
    id: int
    status: str
    source: str
    title: str
    people: str
    citation: str
    compound: int
    company: int
    review_note: str
    nominated_at: str
    selected_at: str | None
    published_at: str | None


class NominationList(Schema):
    items: list[NominationOut]
    count: int


def _public(c) -> dict:
    return {
        "id": c.pk,
        "title": c.title,
        "people": c.people,
        "citation": c.citation,
        "compound": c.compound.name,
        "company": c.company.name,
        "happened_on": c.happened_on.isoformat(),
        "published_at": c.published_at.isoformat(),
        "url": reverse("exemplary_public_case", args=[c.pk]),
        "photos": [reverse("exemplary_public_photo", args=[p.pk]) for p in c.photos.all()],
    }


def _out(c) -> dict:
    return {
        "id": c.pk,
        "status": c.status,
        "source": c.source_key,
        "title": c.title,
        "people": c.people,
        "citation": c.citation,
        "compound": c.compound_id,
        "company": c.company_id,
        "review_note": c.review_note,
        "nominated_at": c.nominated_at.isoformat(),
        "selected_at": c.selected_at.isoformat() if c.selected_at else None,
        "published_at": c.published_at.isoformat() if c.published_at else None,
    }


@router.get(
    "/cases", auth=None, response={200: PublicList, 422: ErrorOut}, summary="已发布的先进典型"
)
def cases_published(request, paging: Query[Paging]):
    qs = selectors.published()
    rows = list(qs[paging.offset : paging.offset + paging.limit])
    return {"items": [_public(c) for c in rows], "count": qs.count()}


IDEMPOTENCY_DOC = {
    "parameters": [
        {
            "name": HEADER,
            "in": "header",
            "required": False,
            "schema": {"type": "string", "minLength": 1, "maxLength": 100},
            "description": "A unique value per intended nomination; a retry with the same "
            "value returns the first answer and makes no second nomination.",
        }
    ]
}


@router.post(
    "/nominations",
    response={201: NominationOut, **WRITE_ERRORS},
    summary="推荐先进典型",
    openapi_extra=IDEMPOTENCY_DOC,
)
def nomination_create(request, payload: NominationIn, response: HttpResponse):
    user = request.auth
    if not access.nominates_anywhere(user):
        raise PermissionDenied

    def run():
        case = services.nominate(
            actor=user,
            key=payload.source,
            title=payload.title,
            people=payload.people,
            citation=payload.citation,
        )
        return 201, _out(case)

    return answer_once(
        request,
        response,
        scope="supervision.exemplary.nominate",
        payload=payload.model_dump(mode="json"),
        run=run,
    )


@router.get("/nominations", response={200: NominationList, **COMMON_ERRORS}, summary="我的推荐")
def nomination_list(request, paging: Query[Paging]):
    user = request.auth
    if not access.nominates_anywhere(user):
        raise PermissionDenied
    qs = selectors.mine(user)
    rows = list(qs[paging.offset : paging.offset + paging.limit])
    return {"items": [_out(c) for c in rows], "count": qs.count()}


@router.get(
    "/nominations/{case_id}", response={200: NominationOut, **COMMON_ERRORS}, summary="一条推荐"
)
def nomination_detail(request, case_id: Id):
    user = request.auth
    if not access.nominates_anywhere(user):
        raise PermissionDenied
    return _out(selectors.mine_or_404(user, case_id))
