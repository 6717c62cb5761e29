"""The three shells' home pages and the inbox."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def console_home(request):
    return render(request, "console/home.html", {})


@login_required
def h5_home(request):
    return render(request, "h5/home.html", {"tab": "home"})


@login_required
def h5_services(request):
    return render(request, "h5/services.html", {"tab": "services"})


@login_required
def h5_me(request):
    return render(request, "h5/me.html", {"tab": "me"})


@login_required
def gov_home(request):
    return render(request, "gov/home.html", {})


@login_required
def inbox(request):
    items = request.user.notifications.all()[:100]
    template = "h5/inbox.html" if request.GET.get("shell") == "h5" else "console/inbox.html"
    return render(request, template, {"items": items, "tab": "inbox"})
