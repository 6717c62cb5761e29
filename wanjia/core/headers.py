"""Response headers every page and API answer carries (Django 5.2 has no CSP of
its own; this small middleware is the whole of it).

- ``Content-Security-Policy``: scripts only from this site (no inline script,
  no ``onclick=``; behaviour lives in ``static/wanjia/*.js``), no plug-ins, no
  framing, forms post only here. Styles may be inline (``style=`` attributes and
  a few ``<style>`` blocks; htmx adds its indicator style): style injection is
  not script execution, and the gain would not pay for rewriting every template.
- ``Cache-Control: no-store`` (with Django's other never-cache headers) on every
  answer to a signed-in request or a bearer token: those are the answers that
  carry personal data, and no shared or browser cache may keep them.
- ``Referrer-Policy`` and ``X-Content-Type-Options`` come from Django's
  SecurityMiddleware (``SECURE_REFERRER_POLICY``, ``SECURE_CONTENT_TYPE_NOSNIFF``)."""

from django.utils.cache import add_never_cache_headers

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CSP)
        if _personal(request):
            add_never_cache_headers(response)
        return response


def _personal(request) -> bool:
    user = getattr(request, "user", None)
    return bool(getattr(user, "is_authenticated", False)) or "HTTP_AUTHORIZATION" in request.META
