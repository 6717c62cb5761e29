"""Background planning (Huey). The request creates the plan and its job; this
task runs the solver once (``plan_run`` claims the job first)."""

from huey.contrib.djhuey import db_task

from .services import plan_run


@db_task()
def plan_window(plan_id: int) -> None:
    plan_run(plan_id)
