"""The volunteers API under /api/v1/volunteers/ (the names the issue fixes).

Refusals in the usual order: a role that may never do the thing is a 403
before any lookup; a compound or task outside the caller's scope is a 404
with the body of a missing one; a full, started or cancelled task is a 409.
A sign-up honours ``Idempotency-Key``: a retry with the same key gets the
first answer back (201 or the body of the sign-up) and takes no second place."""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils import timezone
from ninja import Query, Router, Schema

from wanjia.core.idempotency import (
    HEADER,
    answer_once,
)
from wanjia.core.schemas import COMMON_ERRORS, ErrorOut, Id

from . import access, selectors, services

router = Router(tags=["volunteers"])
WRITE_ERRORS = {**COMMON_ERRORS, 409: ErrorOut}


class TaskOut(Schema):
    id: int
    title: str
    kind: str
    place: str
    starts_at: datetime
    ends_at: datetime
    places: int
    taken: int


class TaskList(Schema):
    items: list[TaskOut]
    count: int


class TaskFilter(Schema):
    compound: Id


class SignupOut(Schema):
    id: int
    task: int
    status: str
    places: int
    taken: int


def _task_out(t) -> dict:
    return {
        "id": t.pk,
        "title": t.title,
        "kind": t.kind,
        "place": t.place,
        "starts_at": timezone.localtime(t.starts_at),
        "ends_at": timezone.localtime(t.ends_at),
        "places": t.places,
        "taken": t.taken,
    }


def _sees_tasks(user) -> bool:
    return access.serves_anywhere(user) or access.posts_anywhere(user)


@router.get("/tasks", response={200: TaskList, **COMMON_ERRORS}, summary="小区待进行的志愿任务")
def task_list(request, filters: Query[TaskFilter]):
    """Tasks of the compound that have not ended and are not cancelled,
    soonest first, with places and places taken."""
    user = request.auth
    if not _sees_tasks(user):
        raise PermissionDenied
    compound = selectors.get_or_404(selectors.compounds_seen(user), pk=filters.compound)
    if not (access.can_serve(user, compound) or access.can_post(user, compound)):
        raise PermissionDenied
    items = [_task_out(t) for t in selectors.tasks_api(user, compound)]
    return {"items": items, "count": len(items)}


@router.post(
    "/tasks/{task_id}/signup",
    response={201: SignupOut, **WRITE_ERRORS},
    summary="报名志愿任务（满员 409；同一 Idempotency-Key 重发只报一次）",
    url_name="volunteers_task_signup",
    openapi_extra={
        "parameters": [
            {
                "name": HEADER,
                "in": "header",
                "required": False,
                "schema": {"type": "string", "minLength": 1, "maxLength": 100},
                "description": "A unique value per intended sign-up; a retry with the same "
                "value returns the first answer and takes no second place.",
            }
        ]
    },
)
def task_signup(request, task_id: Id, response: HttpResponse):
    user = request.auth
    if not access.serves_anywhere(user):
        raise PermissionDenied
    task = selectors.get_or_404(selectors.task_rows(user), pk=task_id)
    if not access.can_serve(user, task.compound):
        raise PermissionDenied

    def run():
        row = services.signup(actor=user, task=task)
        task.refresh_from_db()
        return 201, {
            "id": row.pk,
            "task": task.pk,
            "status": row.status,
            "places": task.places,
            "taken": task.taken,
        }

    return answer_once(
        request, response, scope="volunteers.signup", payload={"task": task.pk}, run=run
    )
