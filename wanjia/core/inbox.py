"""The inbox pages: one list in two shells (console for staff, H5 for residents).

Every query is filtered on ``recipient=request.user``: another person's
notification is "not found", exactly like a missing one."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .models import Notification
from .notify import notification_mark_read, notifications_mark_all_read
from .roles import Role
from .scoping import roles_of

PAGE_SIZE = 30


def _shell(request) -> str:
    """H5 when asked for (``?shell=h5``) or when the user only lives here, like
    the home redirect; the console otherwise."""
    wanted = request.GET.get("shell") or request.POST.get("shell")
    if wanted in {"h5", "console"}:
        return wanted
    roles = roles_of(request.user)
    return "h5" if roles and roles <= {Role.RESIDENT, Role.VOLUNTEER} else "console"


def _inbox_url(shell: str) -> str:
    return reverse("inbox") + ("?shell=h5" if shell == "h5" else "")


def _own(request, pk: int) -> Notification:
    return get_object_or_404(Notification, pk=pk, recipient=request.user)


def _unread(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


@login_required
def inbox(request):
    """Unread first (newest first within each group); ``?unread=1`` shows only those."""
    shell = _shell(request)
    notes = Notification.objects.filter(recipient=request.user)
    only_unread = request.GET.get("unread") == "1"
    if only_unread:
        notes = notes.filter(read_at__isnull=True)
    notes = notes.annotate(
        unread=ExpressionWrapper(Q(read_at__isnull=True), output_field=BooleanField())
    ).order_by("-unread", "-created_at", "-id")
    page = Paginator(notes, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "h5/inbox.html" if shell == "h5" else "console/inbox.html",
        {"page": page, "shell": shell, "only_unread": only_unread, "tab": "inbox"},
    )


@login_required
@require_POST
def mark_read(request, pk: int):
    note = _own(request, pk)
    notification_mark_read(actor=request.user, notification=note)
    if request.htmx:
        return render(
            request,
            "core/_notification_read.html",
            {"n": note, "shell": _shell(request), "unread_left": _unread(request.user)},
        )
    return redirect(_inbox_url(_shell(request)))


@login_required
@require_POST
def mark_all_read(request):
    notifications_mark_all_read(actor=request.user)
    return redirect(_inbox_url(_shell(request)))


@login_required
def open_notification(request, pk: int):
    """Follow a notification's link, marking it read on the way.

    A GET with a write, on purpose: reading is the natural moment, the write
    only touches the user's own row and repeating it changes nothing. Only
    site paths are followed ("/market/orders/5/"), never another host."""
    note = _own(request, pk)
    notification_mark_read(actor=request.user, notification=note)
    link = note.link
    if link.startswith("/") and url_has_allowed_host_and_scheme(
        link, allowed_hosts={request.get_host()}
    ):
        return redirect(link)
    return redirect(_inbox_url(_shell(request)))
