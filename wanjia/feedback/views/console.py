"""Console pages: ratings with the unhappy loop's work queue (return call,
fix, appeal), one rating's timeline, the regulator's appeals, surveys (create,
results aggregated over at least five households), the satisfaction index with
its formula, and their Excel exports (aggregates only)."""

from datetime import date
from io import BytesIO

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from openpyxl import Workbook
from openpyxl.styles import Font

from wanjia.core import rateables
from wanjia.core.audit import audit
from wanjia.core.errors import Refusal, errors_of
from wanjia.core.scoping import gate
from wanjia.core.sheets import safe_cell

from .. import access, selectors, services
from ..models import Appeal, Level, Rating, Stage

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _compound(request, compound_id, allowed):
    user = request.user
    return gate(
        user,
        selectors.compounds_seen(user),
        compound_id,
        compound="id",
        allowed=lambda c: allowed(user, c),
    )


@login_required
def home(request):
    if not access.views_anywhere(request.user):
        raise PermissionDenied
    compounds = list(selectors.compounds_for(request.user))
    if len(compounds) == 1:
        return ratings(request, compounds[0].pk)
    return render(request, "feedback/home.html", {"compounds": compounds})


@login_required
def ratings(request, compound_id):
    compound = _compound(request, compound_id, access.can_view)
    stage = request.GET.get("stage", "")
    level = request.GET.get("level", "")
    kind = request.GET.get("kind", "")
    rows = selectors.ratings_of(compound, stage=stage, level=level, kind=kind)
    return render(
        request,
        "feedback/ratings.html",
        {
            "compound": compound,
            "queue": selectors.work_queue(compound),
            "rows": rows[:200],
            "total": rows.count(),
            "filters": {"stage": stage, "level": level, "kind": kind},
            "stages": [("open", _("未闭环")), *Stage.choices, ("appeal", _("申诉待裁定"))],
            "levels": Level.choices,
            "kinds": [(k, r.label) for k, r in rateables.kinds().items()],
            "satisfaction": selectors.satisfaction(compound),
            "now": timezone.now(),
            "tab": "ratings",
            "may_survey": access.can_survey(request.user, compound),
        },
    )


def _rating(request, pk) -> Rating:
    user = request.user
    if not access.views_anywhere(user):
        raise PermissionDenied
    return gate(
        user,
        selectors.rating_rows(),
        pk,
        compound="compound_id",
        allowed=lambda r: access.can_view(user, r.compound),
    )


def _detail(request, rating, errors=None, status=200):
    user, loop = request.user, getattr(rating, "loop", None)
    compound = rating.compound
    return render(
        request,
        "feedback/rating.html",
        {
            "rating": rating,
            "loop": loop,
            "compound": compound,
            "events": selectors.events_of(loop) if loop else [],
            "may_call": loop and loop.stage == Stage.CALL and access.can_handle(user, compound),
            "may_fix": loop and loop.stage == Stage.FIX and access.can_handle(user, compound),
            "may_appeal": loop and loop.appeal == Appeal.NONE and access.can_appeal(user, compound),
            "may_decide": loop
            and loop.appeal == Appeal.PENDING
            and access.can_decide(user, compound),
            "now": timezone.now(),
            "errors": errors or {},
        },
        status=status,
    )


@login_required
def rating(request, pk):
    return _detail(request, _rating(request, pk))


def _loop_step(request, pk, run, done_message):
    r = _rating(request, pk)
    loop = getattr(r, "loop", None)
    if loop is None:
        messages.error(request, _("这条评价没有差评整改。"))
        return redirect("feedback_rating", r.pk)
    try:
        run(loop)
    except Refusal as exc:
        if exc.status == 403:
            raise PermissionDenied from None
        r = _rating(request, pk)
        return _detail(request, r, errors_of(exc), status=exc.status)
    messages.success(request, done_message)
    return redirect("feedback_rating", r.pk)


@login_required
@require_POST
def loop_call(request, pk):
    note = request.POST.get("note", "")
    return _loop_step(
        request,
        pk,
        lambda loop: services.loop_call(actor=request.user, loop=loop, note=note),
        _("已记录回访。"),
    )


@login_required
@require_POST
def loop_fix(request, pk):
    note = request.POST.get("note", "")
    return _loop_step(
        request,
        pk,
        lambda loop: services.loop_fix(actor=request.user, loop=loop, note=note),
        _("已登记整改，已请居民复评。"),
    )


@login_required
@require_POST
def loop_appeal(request, pk):
    reason = request.POST.get("reason", "")
    return _loop_step(
        request,
        pk,
        lambda loop: services.loop_appeal(actor=request.user, loop=loop, reason=reason),
        _("申诉已提交，等待监管部门裁定。"),
    )


@login_required
@require_POST
def loop_decide(request, pk):
    note = request.POST.get("note", "")
    upheld = request.POST.get("decision", "") == "upheld"
    if request.POST.get("decision", "") not in ("upheld", "rejected"):
        r = _rating(request, pk)
        return _detail(request, r, {"decision": [_("请选择裁定结果。")]}, status=422)
    return _loop_step(
        request,
        pk,
        lambda loop: services.loop_decide(actor=request.user, loop=loop, upheld=upheld, note=note),
        _("已裁定。"),
    )


@login_required
def appeals(request):
    if not access.decides_anywhere(request.user):
        raise PermissionDenied
    return render(
        request,
        "feedback/appeals.html",
        {
            "pending": selectors.appeals_pending(request.user),
            "decided": selectors.appeals_decided(request.user),
        },
    )


# ---- surveys -----------------------------------------------------------------------


def _date(raw):
    try:
        return date.fromisoformat((raw or "").strip())
    except ValueError:
        return None


@login_required
def surveys(request, compound_id):
    compound = _compound(request, compound_id, access.can_view)
    may_create = access.can_survey(request.user, compound)
    errors, form = {}, {}
    if request.method == "POST":
        if not may_create:
            raise PermissionDenied
        form = request.POST
        try:
            survey = services.survey_create(
                actor=request.user,
                compound=compound,
                title=request.POST.get("title", ""),
                intro=request.POST.get("intro", ""),
                starts_on=_date(request.POST.get("starts_on")),
                ends_on=_date(request.POST.get("ends_on")),
                target_rate=request.POST.get("target_rate", ""),
                questions=request.POST.get("questions", "").splitlines(),
            )
        except Refusal as exc:
            if exc.status == 403:
                raise PermissionDenied from None
            errors = errors_of(exc)
        else:
            messages.success(request, _("调查已发起。"))
            return redirect("feedback_survey", survey.pk)
    rows = list(selectors.surveys_of(compound))
    for s in rows:
        s.results = selectors.survey_results(s)
    return render(
        request,
        "feedback/surveys.html",
        {
            "compound": compound,
            "rows": rows,
            "may_create": may_create,
            "errors": errors,
            "form": form,
            "today": timezone.localdate(),
            "tab": "surveys",
            "may_survey": may_create,
        },
        status=422 if errors else 200,
    )


def _survey(request, pk):
    user = request.user
    if not access.views_anywhere(user):
        raise PermissionDenied
    return gate(
        user,
        selectors.survey_rows(),
        pk,
        compound="compound_id",
        allowed=lambda s: access.can_view(user, s.compound),
    )


@login_required
def survey(request, pk):
    s = _survey(request, pk)
    return render(
        request,
        "feedback/survey.html",
        {
            "survey": s,
            "compound": s.compound,
            "results": selectors.survey_results(s),
            "questions": s.questions.all(),
            "levels": Level.choices,
        },
    )


def _xlsx(name: str, rows) -> HttpResponse:
    book = Workbook()
    sheet = book.active
    for n, row in enumerate(rows):
        sheet.append([_cell(v) for v in row])
        if n == 0:
            for c in sheet[1]:
                c.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 40
    out = BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _cell(value):
    if value is None:
        return ""
    return safe_cell(str(value)) if not isinstance(value, int | float) else value


@login_required
def survey_export(request, pk):
    """The survey's aggregates only: counts per level for each question, once
    the survey has closed with at least five households (as on the page)."""
    s = _survey(request, pk)
    res = selectors.survey_results(s)
    rows = [
        [s.title, s.compound.name],
        [_("回收"), res["responses"], _("户数"), res["households"], _("回收率%"), res["rate"]],
    ]
    if res["shown"]:
        rows.append([_("问题"), *[str(label) for _v, label in Level.choices], _("得分")])
        for q in res["questions"]:
            rows.append([q["text"], *[k for _lvl, k in q["levels"]], q["score"]])
    else:
        rows.append([_("调查结束且不少于 %(n)s 户作答后显示各题结果。") % {"n": res["min_group"]}])
    audit(actor=request.user, action="feedback.export", obj=s, detail={"what": "survey"})
    return _xlsx(f"survey-{s.pk}.xlsx", rows)


# ---- the index -----------------------------------------------------------------------


@login_required
def index(request):
    if not access.views_anywhere(request.user):
        raise PermissionDenied
    return render(
        request,
        "feedback/index.html",
        {"table": selectors.index_table(request.user), "formula": selectors.FORMULA},
    )


@login_required
def index_export(request):
    if not access.views_anywhere(request.user):
        raise PermissionDenied
    t = selectors.index_table(request.user)
    rows = [
        [_("满意度指数"), f"{t['start']} – {t['end']}"],
        [str(selectors.FORMULA)],
        [_("范围"), _("名称"), _("指数"), _("评价条数"), _("未闭环差评"), _("小区数")],
    ]
    for scope, key in ((_("区"), "areas"), (_("企业"), "companies"), (_("小区"), "compounds")):
        for r in t[key]:
            rows.append([scope, r["label"], r["index"], r["ratings"], r["open"], r["compounds"]])
    audit(actor=request.user, action="feedback.export", detail={"what": "index"})
    return _xlsx("satisfaction-index.xlsx", rows)
