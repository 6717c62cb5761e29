"""notify(), the outbox and its channels (against real local HTTP receivers), and
the inbox pages."""

import hashlib
import hmac
import json
import threading
import uuid
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from wanjia.core import channels
from wanjia.core.models import Notification, OutboxMessage, OutboxStatus
from wanjia.core.notify import backoff, notify, outbox_dispatch, outbox_retry
from wanjia.core.tasks import dispatch_outbox, retry_due_outbox
from wanjia.estates.testing import make_user

SECRET = "test-webhook-secret"


class Receiver:
    """An HTTP server on 127.0.0.1 (random port) in a thread, recording every
    request; ``respond(request) -> (status, body_bytes)`` decides the answer."""

    def __init__(self):
        self.requests: list[dict] = []
        self.respond = lambda request: (200, b'{"ok": true}')
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                record = {
                    "method": self.command,
                    "path": urlsplit(self.path).path,
                    "query": {k: v[-1] for k, v in parse_qs(urlsplit(self.path).query).items()},
                    "headers": dict(self.headers),
                    "body": self.rfile.read(length) if length else b"",
                }
                receiver.requests.append(record)
                status, body = receiver.respond(record)
                self.send_response(status)
                if status in (301, 302, 303, 307, 308):
                    self.send_header("Location", "/elsewhere")
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _handle

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def posts(self, path=None) -> list[dict]:
        return [r for r in self.requests if r["method"] == "POST" and path in (None, r["path"])]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.stop()


@pytest.fixture
def webhook(receiver, settings):
    settings.NOTIFY_WEBHOOK_URL = receiver.url + "/hook"
    settings.NOTIFY_WEBHOOK_SECRET = SECRET
    settings.NOTIFY_TIMEOUT_SECONDS = 5
    return receiver


def send(user, capture, **extra):
    """notify() one user and run the on-commit dispatch, as after a real commit."""
    with capture(execute=True):
        notes = notify(recipients=[user], title="停水通知", body="明天9点停水", **extra)
    return notes


# --- notify() and the webhook ------------------------------------------------------


def test_unconfigured_channels_queue_nothing(world, django_capture_on_commit_callbacks):
    notes = send(world.resident_a, django_capture_on_commit_callbacks, link="/h5/")
    assert [n.recipient for n in notes] == [world.resident_a]
    assert Notification.objects.get().title == "停水通知"
    assert not OutboxMessage.objects.exists()
    assert not any(c.enabled() for c in channels.all_channels())


def test_notify_dedupes_recipients_and_skips_none(world, webhook):
    notes = notify(recipients=[world.resident_a, None, world.resident_a], title="x")
    assert len(notes) == 1
    assert OutboxMessage.objects.count() == 1


def test_webhook_really_posts_signed_json(world, webhook, django_capture_on_commit_callbacks):
    send(world.resident_a, django_capture_on_commit_callbacks, link="/h5/", kind="notice")

    [request] = webhook.posts("/hook")
    body = request["body"]
    data = json.loads(body)
    assert data["title"] == "停水通知"
    assert data["body"] == "明天9点停水"
    assert data["link"] == "/h5/"
    assert data["kind"] == "notice"
    assert data["recipient"] == {"id": world.resident_a.pk, "username": "res_a"}
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert request["headers"]["X-Wanjia-Signature"] == expected
    message = OutboxMessage.objects.get()
    assert request["headers"]["X-Wanjia-Delivery"] == str(message.pk)
    assert data["delivery"] == message.pk
    assert message.status == OutboxStatus.SENT
    assert message.sent_at is not None
    assert message.attempts == 1
    assert message.last_error == ""


def test_signature_does_not_match_another_secret(
    world, webhook, django_capture_on_commit_callbacks
):
    send(world.resident_a, django_capture_on_commit_callbacks)
    [request] = webhook.posts()
    forged = channels.webhook_signature("another-secret", request["body"])
    assert request["headers"]["X-Wanjia-Signature"] != forged


@pytest.mark.parametrize("status", [500, 404, 302])
def test_non_2xx_is_a_failure_with_backoff(
    world, webhook, django_capture_on_commit_callbacks, settings, status
):
    settings.NOTIFY_RETRY_BASE_SECONDS = 60
    webhook.respond = lambda r: (status, b"receiver says no")
    before = timezone.now()
    send(world.resident_a, django_capture_on_commit_callbacks)

    message = OutboxMessage.objects.get()
    assert message.status == OutboxStatus.PENDING
    assert message.attempts == 1
    assert f"HTTP {status}" in message.last_error
    assert message.sent_at is None
    assert before + timedelta(seconds=59) < message.next_attempt_at
    assert message.next_attempt_at < timezone.now() + timedelta(seconds=61)
    assert [r["path"] for r in webhook.requests] == ["/hook"]  # a redirect is not followed


def test_500_retries_with_backoff_then_fails(
    world, webhook, django_capture_on_commit_callbacks, settings
):
    settings.NOTIFY_MAX_ATTEMPTS = 3
    settings.NOTIFY_RETRY_BASE_SECONDS = 60
    webhook.respond = lambda r: (500, b"down")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        send(world.resident_a, django_capture_on_commit_callbacks)
        message = OutboxMessage.objects.get()
        assert (message.attempts, message.next_attempt_at) == (1, start + timedelta(seconds=60))

        retry_due_outbox()  # not due yet: nothing is sent
        assert len(webhook.posts()) == 1

    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        retry_due_outbox()
        message.refresh_from_db()
        assert message.attempts == 2
        assert message.status == OutboxStatus.PENDING
        assert message.next_attempt_at == timezone.now() + timedelta(seconds=120)

    with time_machine.travel(start + timedelta(seconds=61 + 121), tick=False):
        retry_due_outbox()
        message.refresh_from_db()
    assert message.status == OutboxStatus.FAILED
    assert message.attempts == 3
    assert "HTTP 500" in message.last_error
    assert message.sent_at is None
    assert len(webhook.posts()) == 3

    with time_machine.travel(start + timedelta(days=1), tick=False):
        retry_due_outbox()  # failed is final
    assert len(webhook.posts()) == 3


def test_backoff_doubles_and_is_capped(settings):
    settings.NOTIFY_RETRY_BASE_SECONDS = 60
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert backoff(30) == timedelta(hours=6)


def test_unreachable_receiver_is_a_failure(world, webhook, django_capture_on_commit_callbacks):
    webhook.stop()  # nothing listens on the port any more
    send(world.resident_a, django_capture_on_commit_callbacks)
    message = OutboxMessage.objects.get()
    assert message.status == OutboxStatus.PENDING
    assert message.attempts == 1
    assert message.last_error
    assert message.sent_at is None


def test_dispatch_is_idempotent(world, webhook, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        notify(recipients=[world.resident_a, world.manager_a], title="会议通知")
    assert webhook.posts() == []

    first = outbox_dispatch()
    second = outbox_dispatch()
    dispatch_outbox([m.pk for m in OutboxMessage.objects.all()])

    assert first == {"sent": 2}
    assert second == {}
    assert len(webhook.posts()) == 2
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.SENT}


def test_a_claimed_row_is_not_claimed_again(world, webhook):
    """The claim moves the row a lease ahead: a second worker finds nothing due."""
    from wanjia.core.notify import _claim_next

    notify(recipients=[world.resident_a], title="x")
    claimed = _claim_next()
    assert claimed is not None and claimed.attempts == 1
    assert _claim_next() is None
    assert webhook.posts() == []


def test_notify_in_rolled_back_transaction_sends_nothing(
    world, webhook, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                notify(recipients=[world.resident_a], title="不会发出")
                raise RuntimeError("the caller's write failed")
    assert callbacks == []
    assert not Notification.objects.exists()
    assert not OutboxMessage.objects.exists()
    assert webhook.requests == []


@pytest.mark.django_db(transaction=True)
def test_dispatch_waits_for_commit_and_rollback_sends_nothing(webhook):
    user = make_user(f"tx_{uuid.uuid4().hex[:8]}")
    with transaction.atomic():
        notify(recipients=[user], title="提交后才发")
        assert webhook.requests == []  # still inside the transaction
    assert len(webhook.posts()) == 1
    assert OutboxMessage.objects.get().status == OutboxStatus.SENT

    with pytest.raises(RuntimeError), transaction.atomic():
        notify(recipients=[user], title="回滚")
        raise RuntimeError
    assert len(webhook.posts()) == 1
    assert Notification.objects.count() == 1


def test_conditional_update_claim_and_fencing(world, webhook):
    """The SQLite claim (used on every backend without SKIP LOCKED), and the
    fence: a worker whose lease ran out cannot record over the new owner."""
    from wanjia.core.notify import _claim_next_by_update, _finish

    notify(recipients=[world.resident_a], title="x")
    mine = _claim_next_by_update(None)
    assert mine.attempts == 1
    assert _claim_next_by_update(None) is None  # leased

    OutboxMessage.objects.filter(pk=mine.pk).update(next_attempt_at=timezone.now())
    theirs = _claim_next_by_update(None)  # the lease ran out: another worker claims it
    assert theirs.attempts == 2
    assert not _finish(mine, status=OutboxStatus.SENT)
    assert OutboxMessage.objects.get().status == OutboxStatus.PENDING
    assert _finish(theirs, status=OutboxStatus.SENT)


def _in_memory_sqlite() -> bool:
    from django.db import connection

    return connection.vendor == "sqlite" and connection.is_in_memory_db()


@pytest.mark.django_db(transaction=True)
def test_concurrent_dispatchers_send_each_message_once(webhook, monkeypatch):
    """Four workers at once (threads, each with its own connection)."""
    from django.db import connection

    if _in_memory_sqlite():
        pytest.skip("in-memory SQLite answers 'table locked' instead of waiting")
    users = [make_user(f"c{n}_{uuid.uuid4().hex[:6]}") for n in range(24)]
    # Queue without the on-commit dispatch, so that only the workers send.
    monkeypatch.setattr("wanjia.core.notify._enqueue_dispatch", lambda ids: None)
    notify(recipients=users, title="并发")
    assert OutboxMessage.objects.filter(status=OutboxStatus.PENDING).count() == 24

    errors = []

    def worker():
        try:
            outbox_dispatch()
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    deliveries = [json.loads(r["body"])["delivery"] for r in webhook.posts()]
    assert len(deliveries) == 24
    assert len(set(deliveries)) == 24
    assert OutboxMessage.objects.filter(status=OutboxStatus.SENT, attempts=1).count() == 24


def test_channel_switched_off_after_queueing_marks_disabled(
    world, webhook, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        notify(recipients=[world.resident_a], title="x")
    settings.NOTIFY_WEBHOOK_URL = ""
    outbox_dispatch()
    message = OutboxMessage.objects.get()
    assert message.status == OutboxStatus.DISABLED
    assert message.last_error
    assert message.sent_at is None
    assert webhook.requests == []


def test_webhook_needs_its_secret(world, receiver, settings):
    settings.NOTIFY_WEBHOOK_URL = receiver.url
    settings.NOTIFY_WEBHOOK_SECRET = ""
    assert not channels.get("webhook").enabled()
    notify(recipients=[world.resident_a], title="x")
    assert not OutboxMessage.objects.exists()


def test_inactive_users_get_the_inbox_only(world, webhook):
    world.resident_a.is_active = False
    world.resident_a.save()
    notify(recipients=[world.resident_a], title="x")
    assert Notification.objects.count() == 1
    assert not OutboxMessage.objects.exists()


def test_retry_requeues_failed_messages(
    world, webhook, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFY_MAX_ATTEMPTS = 1
    webhook.respond = lambda r: (503, b"")
    send(world.resident_a, django_capture_on_commit_callbacks)
    message = OutboxMessage.objects.get()
    assert message.status == OutboxStatus.FAILED

    webhook.respond = lambda r: (204, b"")
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_retry(actor=world.manager_a, ids=[message.pk]) == 1
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert len(webhook.posts()) == 2
    assert outbox_retry(actor=world.manager_a, ids=[message.pk]) == 0  # sent stays sent


# --- SMS ---------------------------------------------------------------------------


def test_sms_disabled_unless_configured(world, settings, receiver):
    sms = channels.get("sms")
    assert not sms.enabled()
    settings.SMS_GATEWAY_URL = receiver.url
    assert not sms.enabled()  # no token yet
    notify(recipients=[world.resident_a], title="x")
    assert not OutboxMessage.objects.exists()


def test_sms_posts_to_the_gateway_with_bearer_token(
    world, settings, receiver, django_capture_on_commit_callbacks
):
    settings.SMS_GATEWAY_URL = receiver.url + "/sms"
    settings.SMS_GATEWAY_TOKEN = "gw-token"
    settings.SITE_URL = "https://wanjia.example.org"
    send(world.resident_a, django_capture_on_commit_callbacks, link="/h5/")
    send(world.manager_a, django_capture_on_commit_callbacks)  # no phone: no SMS

    [request] = receiver.posts("/sms")
    assert request["headers"]["Authorization"] == "Bearer gw-token"
    data = json.loads(request["body"])
    assert data["to"] == "13812345678"
    assert data["text"].startswith("【万家】停水通知")
    assert "https://wanjia.example.org/h5/" in data["text"]
    assert OutboxMessage.objects.get().status == OutboxStatus.SENT


def test_notify_can_name_its_channels(world, webhook, settings):
    settings.SMS_GATEWAY_URL = webhook.url + "/sms"
    settings.SMS_GATEWAY_TOKEN = "t"
    notify(recipients=[world.resident_a], title="x", channels=["sms"])
    assert list(OutboxMessage.objects.values_list("channel", flat=True)) == ["sms"]


# --- WeChat ------------------------------------------------------------------------


@pytest.fixture
def wechat(receiver, settings):
    """A fake WeChat API: a token endpoint and the template-message endpoint.
    ``receiver.send_answers`` is the list of answers the send endpoint gives, in turn."""
    settings.WECHAT_APP_ID = f"wx{uuid.uuid4().hex[:16]}"  # its own token cache key
    settings.WECHAT_APP_SECRET = "app-secret"
    settings.WECHAT_TEMPLATE_ID = "tmpl-1"
    settings.WECHAT_API_BASE = receiver.url
    receiver.tokens_issued = 0
    receiver.send_answers = []

    def respond(request):
        if request["path"] == "/cgi-bin/token":
            assert request["query"]["secret"] == "app-secret"
            receiver.tokens_issued += 1
            token = f"TOKEN{receiver.tokens_issued}"
            return 200, json.dumps({"access_token": token, "expires_in": 7200}).encode()
        if request["path"] == "/cgi-bin/message/template/send":
            answer = receiver.send_answers.pop(0) if receiver.send_answers else {"errcode": 0}
            return 200, json.dumps({"errmsg": "ok", **answer}).encode()
        return 404, b"{}"

    receiver.respond = respond
    return receiver


def bind_wechat(user, openid="oOPENID123"):
    user.wechat_openid = openid
    user.save(update_fields=["wechat_openid"])
    return user


def test_wechat_disabled_unless_configured(world, settings):
    bind_wechat(world.resident_a)
    assert not channels.get("wechat").enabled()
    settings.WECHAT_APP_ID, settings.WECHAT_APP_SECRET = "wxid", "secret"
    assert not channels.get("wechat").enabled()  # no template yet
    notify(recipients=[world.resident_a], title="x")
    assert not OutboxMessage.objects.exists()


def test_wechat_fetches_a_token_caches_it_and_sends(
    world, wechat, django_capture_on_commit_callbacks
):
    bind_wechat(world.resident_a)
    send(world.resident_a, django_capture_on_commit_callbacks)
    send(world.resident_a, django_capture_on_commit_callbacks)
    send(world.manager_a, django_capture_on_commit_callbacks)  # no openid: not queued

    sends = wechat.posts("/cgi-bin/message/template/send")
    assert len(sends) == 2
    assert wechat.tokens_issued == 1  # the second send used the cached token
    assert {r["query"]["access_token"] for r in sends} == {"TOKEN1"}
    body = json.loads(sends[0]["body"])
    assert body["touser"] == "oOPENID123"
    assert body["template_id"] == "tmpl-1"
    assert body["data"]["title"]["value"] == "停水通知"
    assert list(OutboxMessage.objects.values_list("status", flat=True)) == ["sent", "sent"]


def test_wechat_nonzero_errcode_is_a_failure(world, wechat, django_capture_on_commit_callbacks):
    bind_wechat(world.resident_a)
    wechat.send_answers = [{"errcode": 43004, "errmsg": "require subscribe"}]
    send(world.resident_a, django_capture_on_commit_callbacks)
    message = OutboxMessage.objects.get()
    assert message.status == OutboxStatus.PENDING
    assert "43004" in message.last_error
    assert message.sent_at is None
    assert len(wechat.posts("/cgi-bin/message/template/send")) == 1


def test_wechat_stale_token_is_refreshed_once(world, wechat, django_capture_on_commit_callbacks):
    bind_wechat(world.resident_a)
    wechat.send_answers = [{"errcode": 40001, "errmsg": "invalid credential"}, {"errcode": 0}]
    send(world.resident_a, django_capture_on_commit_callbacks)
    sends = wechat.posts("/cgi-bin/message/template/send")
    assert [r["query"]["access_token"] for r in sends] == ["TOKEN1", "TOKEN2"]
    assert OutboxMessage.objects.get().status == OutboxStatus.SENT


def test_wechat_token_error_is_a_failure(world, wechat, django_capture_on_commit_callbacks):
    bind_wechat(world.resident_a)
    wechat.respond = lambda r: (200, b'{"errcode": 40125, "errmsg": "invalid appsecret"}')
    send(world.resident_a, django_capture_on_commit_callbacks)
    message = OutboxMessage.objects.get()
    assert message.status == OutboxStatus.PENDING
    assert "40125" in message.last_error
    assert "app-secret" not in message.last_error


# --- inbox pages -------------------------------------------------------------------


@pytest.fixture
def inbox_of(world):
    def make(user, *titles, link=""):
        return [notify(recipients=[user], title=t, link=link)[0] for t in titles]

    return make


def test_inbox_lists_unread_first_and_bold(world, login, inbox_of):
    old, new = inbox_of(world.manager_a, "旧消息", "新消息")
    old.read_at = None
    Notification.objects.filter(pk=new.pk).update(read_at=timezone.now())
    page = login(world.manager_a).get("/inbox/")
    html = page.content.decode()
    assert page.status_code == 200
    assert page.templates[0].name == "console/inbox.html"
    assert html.index("旧消息") < html.index("新消息")  # unread before read
    assert f'id="notice-{old.pk}" class="notice unread"' in html
    assert f'id="notice-{new.pk}" class="notice"' in html


def test_resident_gets_the_h5_inbox(world, login, inbox_of):
    inbox_of(world.resident_a, "停水通知")
    page = login(world.resident_a).get("/inbox/")
    assert page.templates[0].name == "h5/inbox.html"
    assert "停水通知" in page.content.decode()
    assert page.context["tab"] == "inbox"


def test_inbox_shows_only_my_notifications(world, login, inbox_of):
    inbox_of(world.manager_a, "给经理的")
    inbox_of(world.resident_a, "给居民的")
    html = login(world.resident_a).get("/inbox/?shell=console").content.decode()
    assert "给居民的" in html and "给经理的" not in html


def test_unread_filter(world, login, inbox_of):
    a, b = inbox_of(world.manager_a, "甲", "乙")
    Notification.objects.filter(pk=a.pk).update(read_at=timezone.now())
    html = login(world.manager_a).get("/inbox/?unread=1").content.decode()
    assert "乙" in html and "甲" not in html


def test_mark_one_read_in_place(world, login, inbox_of):
    note, other = inbox_of(world.manager_a, "甲", "乙")
    client = login(world.manager_a)
    response = client.post(f"/inbox/{note.pk}/read/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="notice-{note.pk}" class="notice"' in html
    assert 'hx-swap-oob="true"' in html and "1 条未读" in html
    # the menu's badge follows: one left
    assert '<span id="unread-dot-menu" hx-swap-oob="true"><b class="dot">1</b></span>' in html
    note.refresh_from_db()
    other.refresh_from_db()
    assert note.read_at is not None and other.read_at is None


def test_mark_read_without_htmx_redirects_back(world, login, inbox_of):
    [note] = inbox_of(world.resident_a, "甲")
    response = login(world.resident_a).post(f"/inbox/{note.pk}/read/", {"shell": "h5"})
    assert response.status_code == 302
    assert response["Location"] == "/inbox/?shell=h5"


def test_cannot_mark_someone_elses_notification(world, login, inbox_of):
    [theirs] = inbox_of(world.manager_a, "经理的消息", link="/console/")
    client = login(world.resident_a)
    assert client.post(f"/inbox/{theirs.pk}/read/").status_code == 404
    assert client.get(f"/inbox/{theirs.pk}/open/").status_code == 404
    missing = client.post("/inbox/999999/read/")
    assert missing.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_read_needs_post_and_login(world, client, login, inbox_of):
    [note] = inbox_of(world.manager_a, "甲")
    assert login(world.manager_a).get(f"/inbox/{note.pk}/read/").status_code == 405
    assert client.post(f"/inbox/{note.pk}/read/").status_code == 302  # to the login page
    assert client.get("/inbox/").status_code == 302
    note.refresh_from_db()
    assert note.read_at is None


def test_mark_all_read_touches_only_mine(world, login, inbox_of):
    mine = inbox_of(world.manager_a, "甲", "乙")
    [theirs] = inbox_of(world.resident_a, "丙")
    response = login(world.manager_a).post("/inbox/read-all/")
    assert response.status_code == 302
    assert all(Notification.objects.get(pk=n.pk).read_at for n in mine)
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_open_follows_the_link_and_marks_read(world, login, inbox_of):
    [note] = inbox_of(world.resident_a, "订单已送达", link="/h5/me/")
    response = login(world.resident_a).get(f"/inbox/{note.pk}/open/")
    assert response.status_code == 302 and response["Location"] == "/h5/me/"
    note.refresh_from_db()
    assert note.read_at is not None


@pytest.mark.parametrize(
    "link", ["https://evil.example.com/", "//evil.example.com/", "javascript:alert(1)"]
)
def test_open_never_leaves_the_site(world, login, inbox_of, link):
    [note] = inbox_of(world.resident_a, "钓鱼", link=link)
    response = login(world.resident_a).get(f"/inbox/{note.pk}/open/")
    assert response.status_code == 302
    assert response["Location"].startswith("/inbox/")


@override_settings(LANGUAGE_CODE="zh-hans")
def test_inbox_pages_paginate(world, login):
    notify(recipients=[world.manager_a], title="第一条")
    for n in range(35):
        notify(recipients=[world.manager_a], title=f"消息{n}")
    client = login(world.manager_a)
    first = client.get("/inbox/")
    assert len(first.context["page"].object_list) == 30
    second = client.get("/inbox/?page=2")
    assert "第一条" in second.content.decode()
    assert client.get("/inbox/?page=abc").status_code == 200
