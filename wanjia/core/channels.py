"""External notification channels, behind one small interface.

A channel knows whether it is configured (``enabled()``), which address a user
has on it (``target_for(user)``, "" for none) and how to hand one outbox message
to its receiver (``send(message)``). ``send`` returns only when the receiver
accepted the message and raises ``ChannelError`` otherwise: the outbox marks a
message sent on nothing weaker than that.

Every channel reads its settings when called, so configuration changes (and
``override_settings`` in tests) take effect without a restart.
"""

import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from abc import ABC, abstractmethod

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from . import pii

log = logging.getLogger(__name__)


class ChannelError(Exception):
    """The receiver did not accept the message; the text is stored as ``last_error``."""


class Channel(ABC):
    """One external channel. ``send`` raises ChannelError unless the receiver accepted."""

    name = ""

    @abstractmethod
    def enabled(self) -> bool: ...

    @abstractmethod
    def target_for(self, user) -> str: ...

    @abstractmethod
    def send(self, message) -> None: ...


# --- HTTP ------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is not acceptance: urllib would silently turn a POST into a GET."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def http_request(
    method: str, url: str, *, body: bytes | None = None, headers: dict | None = None
) -> tuple[int, bytes]:
    """(status, body) of one HTTP exchange; network failures raise ChannelError.

    Only http(s) URLs are allowed (no file:// from a mistyped setting)."""
    if urllib.parse.urlsplit(url).scheme not in {"http", "https"}:
        raise ChannelError(f"unsupported URL scheme in {_redact_url(url)}")
    # S310: the scheme was checked just above.
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})  # noqa: S310
    try:
        with _opener.open(request, timeout=settings.NOTIFY_TIMEOUT_SECONDS) as response:
            return response.status, response.read(64 * 1024)
    except urllib.error.HTTPError as exc:  # non-2xx answers arrive as exceptions
        return exc.code, exc.read(4096) if exc.fp else b""
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ChannelError(f"{type(exc).__name__}: {reason}") from exc


def _redact_url(url: str) -> str:
    """The URL without its query: WeChat puts the app secret and token there."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def _require_2xx(status: int, body: bytes) -> None:
    if not 200 <= status < 300:
        snippet = body[:200].decode("utf-8", "replace")
        raise ChannelError(f"HTTP {status}: {snippet}".strip())


def _json(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def absolute_link(link: str) -> str:
    """``link`` as a full URL when SITE_URL is set and the link is a site path."""
    if link.startswith("/") and settings.SITE_URL:
        return settings.SITE_URL + link
    return link if link.startswith(("http://", "https://")) else ""


# --- webhook -----------------------------------------------------------------


def webhook_signature(secret: str, body: bytes) -> str:
    """Value of the ``X-Wanjia-Signature`` header: ``sha256=`` + HMAC-SHA256(secret, body)."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebhookChannel(Channel):
    """POSTs each message as JSON to NOTIFY_WEBHOOK_URL, signed with
    NOTIFY_WEBHOOK_SECRET. Enabled only with both: an unsigned hook could be
    forged by anyone who learns its address.

    The receiver must answer 2xx. ``X-Wanjia-Delivery`` (the outbox id) is the
    same on every retry, so a receiver can drop duplicates."""

    name = "webhook"

    def enabled(self) -> bool:
        return bool(settings.NOTIFY_WEBHOOK_URL and settings.NOTIFY_WEBHOOK_SECRET)

    def target_for(self, user) -> str:
        return f"user:{user.pk}"

    def send(self, message) -> None:
        body = _json(
            {
                **message.payload,
                "delivery": message.pk,
                "attempt": message.attempts,
                "channel": self.name,
                "sent_at": timezone.localtime().isoformat(),
            }
        )
        status, answer = http_request(
            "POST",
            settings.NOTIFY_WEBHOOK_URL,
            body=body,
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": "Wanjia-Notify/1",
                "X-Wanjia-Delivery": str(message.pk),
                "X-Wanjia-Signature": webhook_signature(settings.NOTIFY_WEBHOOK_SECRET, body),
            },
        )
        _require_2xx(status, answer)


# --- SMS ---------------------------------------------------------------------


class SmsChannel(Channel):
    """An HTTP SMS gateway: POST SMS_GATEWAY_URL with ``Authorization: Bearer
    SMS_GATEWAY_TOKEN`` and JSON ``{"to", "text", "reference"}``; 2xx means the
    gateway took the message. Disabled until both settings are present."""

    name = "sms"
    max_text = 300

    def enabled(self) -> bool:
        return bool(settings.SMS_GATEWAY_URL and settings.SMS_GATEWAY_TOKEN)

    def target_for(self, user) -> str:
        phone = (user.phone or "").strip()
        return phone if phone and pii.phone_error(phone) is None else ""

    def text(self, payload: dict) -> str:
        parts = [payload.get("title", ""), payload.get("body", ""), payload.get("url", "")]
        text = "【万家】" + " ".join(p for p in parts if p)
        return text[: self.max_text]

    def send(self, message) -> None:
        status, answer = http_request(
            "POST",
            settings.SMS_GATEWAY_URL,
            body=_json(
                {"to": message.target, "text": self.text(message.payload), "reference": message.pk}
            ),
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Authorization": f"Bearer {settings.SMS_GATEWAY_TOKEN}",
            },
        )
        _require_2xx(status, answer)


# --- WeChat template message ------------------------------------------------

# Answers that mean the cached access token is no longer good.
_WECHAT_TOKEN_ERRORS = {40001, 40014, 42001}


class WeChatChannel(Channel):
    """WeChat official-account template messages (模板消息).

    Needs WECHAT_APP_ID, WECHAT_APP_SECRET and WECHAT_TEMPLATE_ID; the template
    must use the fields ``{{title.DATA}}``, ``{{content.DATA}}`` and
    ``{{time.DATA}}``. WeChat answers HTTP 200 even on failure, so success is
    ``errcode == 0`` in the body and nothing less.

    The access token (valid 2 hours) lives in the shared Django cache, so all
    processes use one token; WeChat keeps an old token valid for a few minutes
    after a refresh, so two workers refreshing at once do no harm."""

    name = "wechat"

    def enabled(self) -> bool:
        return bool(
            settings.WECHAT_APP_ID and settings.WECHAT_APP_SECRET and settings.WECHAT_TEMPLATE_ID
        )

    def target_for(self, user) -> str:
        return (getattr(user, "wechat_openid", None) or "").strip()

    def _cache_key(self) -> str:
        return f"wanjia:wechat:token:{settings.WECHAT_APP_ID}"

    def _api(self, path: str) -> str:
        return settings.WECHAT_API_BASE.rstrip("/") + path

    def access_token(self) -> str:
        token = cache.get(self._cache_key())
        if token:
            return token
        query = urllib.parse.urlencode(
            {
                "grant_type": "client_credential",
                "appid": settings.WECHAT_APP_ID,
                "secret": settings.WECHAT_APP_SECRET,
            }
        )
        data = self._call("GET", self._api(f"/cgi-bin/token?{query}"))
        token = data.get("access_token")
        if not token:
            raise ChannelError(f"WeChat token: errcode {data.get('errcode')}: {data.get('errmsg')}")
        # Refresh five minutes early so a token never expires between fetch and use.
        expires = int(data.get("expires_in") or 7200)
        cache.set(self._cache_key(), token, max(60, expires - 300))
        return token

    def _call(self, method: str, url: str, body: bytes | None = None) -> dict:
        headers = {"Content-Type": "application/json; charset=utf-8"} if body else {}
        status, answer = http_request(method, url, body=body, headers=headers)
        _require_2xx(status, answer)
        try:
            data = json.loads(answer or b"{}")
        except ValueError:
            raise ChannelError("WeChat answered with something other than JSON") from None
        if not isinstance(data, dict):
            raise ChannelError("WeChat answered with something other than a JSON object")
        return data

    def message_body(self, message) -> bytes:
        p = message.payload
        data = {
            "title": {"value": p.get("title", "")[:20]},
            "content": {"value": (p.get("body") or p.get("title", ""))[:200]},
            "time": {"value": timezone.localtime().strftime("%Y-%m-%d %H:%M")},
        }
        body = {"touser": message.target, "template_id": settings.WECHAT_TEMPLATE_ID, "data": data}
        if p.get("url"):
            body["url"] = p["url"]
        return _json(body)

    def send(self, message) -> None:
        body = self.message_body(message)
        for _try in range(2):  # a second try only after dropping a stale token
            query = urllib.parse.urlencode({"access_token": self.access_token()})
            data = self._call("POST", self._api(f"/cgi-bin/message/template/send?{query}"), body)
            errcode = data.get("errcode", -1)
            if errcode == 0:
                return
            if errcode not in _WECHAT_TOKEN_ERRORS:
                break
            cache.delete(self._cache_key())
        raise ChannelError(f"WeChat: errcode {errcode}: {data.get('errmsg', '')}")


# --- registry ------------------------------------------------------------------

_registry: dict[str, Channel] = {}


def register(channel: Channel) -> Channel:
    """Add (or replace) a channel; another module can plug in its own this way."""
    _registry[channel.name] = channel
    return channel


def get(name: str) -> Channel | None:
    return _registry.get(name)


def all_channels() -> list[Channel]:
    return list(_registry.values())


def enabled_channels(only=None) -> list[Channel]:
    """The configured channels (restricted to the names in ``only`` when given)."""
    return [c for c in _registry.values() if (only is None or c.name in only) and c.enabled()]


for _channel in (WebhookChannel(), SmsChannel(), WeChatChannel()):
    register(_channel)
