"""The service certificate (志愿服务证明) as an A4 page with a QR code, and
the public page the QR code opens: it verifies the certificate from a signed
token and shows no personal data beyond the masked name."""

import segno
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse

from wanjia.core.scoping import gate

from .. import access, selectors
from ..services.wall import certificate_from_token, certificate_token, masked_name


def _qr_svg(text: str) -> str:
    return segno.make_qr(text, error="m").svg_inline(scale=4, border=2)


@login_required
def certificate(request, pk):
    user = request.user
    if not (access.serves_anywhere(user) or access.manages_anywhere(user)):
        raise PermissionDenied
    cert = gate(
        user,
        selectors.certificate_rows(user),
        pk,
        compound="compound_id",
    )
    url = request.build_absolute_uri(reverse("volunteers_verify") + "?t=" + certificate_token(cert))
    return render(
        request,
        "volunteers/certificate.html",
        {
            "cert": cert,
            "v": cert.volunteer,
            "hours": round(cert.minutes / 60, 1),
            "qr": _qr_svg(url),
            "verify_url": url,
            # back to where it was opened: the volunteer's own hours, or the
            # volunteer's console page for the staff who issued it
            "back": reverse("volunteers_h5_hours")
            if cert.volunteer.user_id == user.pk
            else reverse("volunteers_volunteer", args=[cert.volunteer_id]),
        },
    )


def verify(request):
    """Public: anyone who scans the code sees whether it is genuine."""
    cert = certificate_from_token(request.GET.get("t", "")[:500])
    ctx = {"cert": cert}
    if cert is not None:
        ctx.update(
            name=masked_name(cert.volunteer.name),
            hours=round(cert.minutes / 60, 1),
            compound=cert.compound.name,
        )
    return render(request, "volunteers/verify.html", ctx, status=200 if cert else 404)
