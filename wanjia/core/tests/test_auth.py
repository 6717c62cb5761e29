"""Identity: login by username or phone, lockout by account and by IP (page and
token endpoint alike), password rules, a new session at login, CSRF, revocable
tokens and inactive users."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from wanjia.core.auth import client_ip, find_login_user
from wanjia.core.models import ApiToken, AuditLog, LoginFailure
from wanjia.estates.models import Resident
from wanjia.estates.testing import PASSWORD, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def page_login(username, password, client=None, ip="10.0.0.1"):
    client = client or Client()
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def token_login(username, password, ip="10.0.0.1"):
    return Client().post(
        "/api/v1/auth/token",
        data=json.dumps({"username": username, "password": password}),
        content_type="application/json",
        REMOTE_ADDR=ip,
    )


def logged_in_as(client):
    from django.contrib.auth import SESSION_KEY

    return client.session.get(SESSION_KEY)


# -- login by username or phone ----------------------------------------------------------


@pytest.mark.parametrize("name", ["mgr_a", "res_a", "13812345678"])
def test_page_login_by_username_or_phone(world, name):
    client = Client()
    r = page_login(name, PASSWORD, client)
    assert r.status_code == 302
    user = world.manager_a if name == "mgr_a" else world.resident_a
    assert str(logged_in_as(client)) == str(user.pk)


def test_wrong_password_is_refused_on_the_page(world):
    r = page_login("mgr_a", "wrong-password")
    assert r.status_code == 400
    assert "用户名或密码不正确" in r.content.decode()


def test_username_wins_over_someone_elses_phone(world):
    """Registering another person's phone number as a username must not let the
    impostor's account answer to it (nor lock the owner out)."""
    impostor = make_user("13900001111")
    owner = make_user("owner", phone="13900001111")
    assert find_login_user("13900001111") == impostor
    assert find_login_user("owner") == owner


# -- lockout ---------------------------------------------------------------------------


def test_account_lockout_after_repeated_failures(world, settings):
    for _ in range(settings.LOGIN_MAX_FAILURES_ACCOUNT):
        assert page_login("mgr_a", "wrong-password").status_code == 400
    # Locked: even the right password is refused, from any address, with a clear message.
    r = page_login("mgr_a", PASSWORD, ip="10.9.9.9")
    assert r.status_code == 400
    text = r.content.decode()
    assert "锁定" in text and f"{settings.LOGIN_LOCK_MINUTES}分钟" in text
    # The token endpoint shares the counter.
    r = token_login("mgr_a", PASSWORD, ip="10.9.9.9")
    assert r.status_code == 429
    assert "锁定" in r.json()["detail"] and r.json()["errors"] == []


def test_failures_count_against_the_account_whichever_name_is_typed(world, settings):
    for i in range(settings.LOGIN_MAX_FAILURES_ACCOUNT):
        name = "res_a" if i % 2 else "13812345678"
        token_login(name, "wrong-password")
    assert token_login("res_a", PASSWORD).status_code == 429
    assert page_login("13812345678", PASSWORD).status_code == 400


def test_token_endpoint_failures_lock_the_page_too(world, settings):
    for _ in range(settings.LOGIN_MAX_FAILURES_ACCOUNT):
        assert token_login("mgr_a", "wrong-password").status_code == 401
    client = Client()
    page_login("mgr_a", PASSWORD, client)
    assert logged_in_as(client) is None


def test_ip_lockout_across_accounts(world, settings):
    settings.LOGIN_MAX_FAILURES_IP = 4
    for i in range(4):
        token_login(f"guess{i}", "wrong-password", ip="10.6.6.6")
    # This address is now locked out, even for a real account with its password ...
    assert token_login("mgr_a", PASSWORD, ip="10.6.6.6").status_code == 429
    assert page_login("mgr_a", PASSWORD, ip="10.6.6.6").status_code == 400
    # ... while the account itself is fine from elsewhere.
    assert token_login("mgr_a", PASSWORD, ip="10.7.7.7").status_code == 200


def test_success_clears_the_accounts_counter_but_not_the_ips(world, settings):
    limit = settings.LOGIN_MAX_FAILURES_ACCOUNT
    for _ in range(limit - 1):
        token_login("mgr_a", "wrong-password")
    assert token_login("mgr_a", PASSWORD).status_code == 200
    assert not LoginFailure.objects.filter(username="mgr_a").exists()
    for _ in range(limit - 1):
        token_login("mgr_a", "wrong-password")
    assert token_login("mgr_a", PASSWORD).status_code == 200
    assert LoginFailure.objects.filter(ip="10.0.0.1").count() == 2 * (limit - 1)


def test_lockout_ends_after_the_lock_period(world, settings):
    for _ in range(settings.LOGIN_MAX_FAILURES_ACCOUNT):
        token_login("mgr_a", "wrong-password")
    assert token_login("mgr_a", PASSWORD).status_code == 429
    later = timezone.now() + timedelta(minutes=settings.LOGIN_LOCK_MINUTES + 1)
    with time_machine.travel(later):
        assert token_login("mgr_a", PASSWORD).status_code == 200


def test_client_ip_behind_proxy_is_the_last_forwarded_hop(rf, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    request = rf.get("/", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7", REMOTE_ADDR="10.0.0.2")
    assert client_ip(request) == "203.0.113.7"  # the client wrote "1.2.3.4" itself
    assert client_ip(rf.get("/", HTTP_X_FORWARDED_FOR="junk", REMOTE_ADDR="10.0.0.2")) == "10.0.0.2"
    settings.SECURE_PROXY_SSL_HEADER = None
    assert client_ip(request) == "10.0.0.2"  # not behind a proxy: the header is ignored
    assert client_ip(rf.get("/", REMOTE_ADDR="not-an-ip")) is None


# -- passwords and sessions ------------------------------------------------------------


@pytest.mark.parametrize(
    "password", ["12345678901", "short1!", "password123", "zhangsanfeng1", "qwertyuiop"]
)
def test_weak_passwords_are_refused(db, password):
    user = make_user("zhangsanfeng")
    with pytest.raises(ValidationError):
        validate_password(password, user=user)


def test_a_good_password_passes(world):
    validate_password("lantern-maple-37-river", user=world.manager_a)


def test_login_gives_a_new_session_key(world):
    """Session fixation: a key planted before login is worthless after it."""
    client = Client()
    session = client.session
    session["planted"] = True
    session.save()
    planted = session.session_key
    assert client.cookies["sessionid"].value == planted
    page_login("mgr_a", PASSWORD, client)
    assert client.cookies["sessionid"].value != planted
    assert str(logged_in_as(client)) == str(world.manager_a.pk)


# -- CSRF --------------------------------------------------------------------------------


def test_login_form_needs_its_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    assert page_login("mgr_a", PASSWORD, client).status_code == 403
    page = client.get("/login/")
    token = page.context["csrf_token"]
    r = client.post(
        "/login/", {"username": "mgr_a", "password": PASSWORD, "csrfmiddlewaretoken": str(token)}
    )
    assert r.status_code == 302


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.callback


def test_no_page_view_is_csrf_exempt():
    """Every form is protected: only the API's views are exempt at the middleware,
    and the API checks CSRF itself for session-authenticated calls."""
    exempt = [
        route
        for route, view in _walk(get_resolver().url_patterns)
        if getattr(view, "csrf_exempt", False) and not route.startswith("api/v1/")
    ]
    assert exempt == []


@pytest.fixture
def session_client(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.manager_a)
    client.get("/login/")  # sets the csrftoken cookie
    return client


def new_resident_body(world):
    return json.dumps({"household": world.other_home.pk, "name": "新住户"})


def test_session_api_write_without_csrf_is_refused(world, session_client):
    before = Resident.objects.count()
    r = session_client.post(
        "/api/v1/residents", data=new_resident_body(world), content_type="application/json"
    )
    assert r.status_code == 403
    assert "CSRF" in r.json()["detail"]
    assert Resident.objects.count() == before
    # Reads need no token.
    assert session_client.get("/api/v1/residents").status_code == 200


def test_session_api_write_with_csrf_header_works(world, session_client):
    token = session_client.cookies["csrftoken"].value
    r = session_client.post(
        "/api/v1/residents",
        data=new_resident_body(world),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert r.status_code == 201, r.content


def test_bearer_calls_need_no_csrf(world, api):
    from wanjia.core.services import token_issue

    client = Client(
        enforce_csrf_checks=True,
        headers={"Authorization": f"Bearer {token_issue(actor=world.manager_a)}"},
    )
    r = client.post(
        "/api/v1/residents", data=new_resident_body(world), content_type="application/json"
    )
    assert r.status_code == 201


def test_unsafe_call_without_any_credentials_is_401_not_a_csrf_error(world):
    client = Client(enforce_csrf_checks=True)
    r = client.post(
        "/api/v1/residents", data=new_resident_body(world), content_type="application/json"
    )
    assert r.status_code == 401
    r = Client(
        enforce_csrf_checks=True, headers={"Authorization": "Bearer revoked-or-made-up"}
    ).post("/api/v1/residents", data=new_resident_body(world), content_type="application/json")
    assert r.status_code == 401


# -- tokens ------------------------------------------------------------------------------


def test_revoked_token_is_401(world):
    token = token_login("mgr_a", PASSWORD).json()["token"]
    client = Client(headers={"Authorization": f"Bearer {token}"})
    assert client.get("/api/v1/me").status_code == 200
    assert client.delete("/api/v1/auth/token").status_code == 204
    r = client.get("/api/v1/me")
    assert r.status_code == 401 and r.json()["detail"] == "请先登录或提供有效的令牌。"
    assert client.delete("/api/v1/auth/token").status_code == 401
    assert ApiToken.objects.get(user=world.manager_a).revoked_at is not None
    actions = list(AuditLog.objects.filter(actor=world.manager_a).values_list("action", flat=True))
    assert "core.token.issued" in actions and "core.token.revoked" in actions


def test_revoking_one_token_leaves_the_others(world):
    first = token_login("mgr_a", PASSWORD).json()["token"]
    second = token_login("mgr_a", PASSWORD).json()["token"]
    Client(headers={"Authorization": f"Bearer {first}"}).delete("/api/v1/auth/token")
    assert (
        Client(headers={"Authorization": f"Bearer {second}"}).get("/api/v1/me").status_code == 200
    )


def test_revoke_without_a_token_is_a_400(world, login):
    client = login(world.manager_a)
    r = client.delete("/api/v1/auth/token")
    assert r.status_code == 400 and r.json()["detail"]


# -- inactive users ---------------------------------------------------------------------------


def test_inactive_user_cannot_log_in_or_use_old_credentials(world, api, login):
    token_client = api(world.manager_a)
    session_client = login(world.manager_a)
    world.manager_a.is_active = False
    world.manager_a.save()
    assert page_login("mgr_a", PASSWORD).status_code == 400
    assert token_login("mgr_a", PASSWORD).status_code == 401
    assert token_client.get("/api/v1/me").status_code == 401
    assert session_client.get("/api/v1/me").status_code == 401


# -- the admin's login shares the lockout and the audit trail -----------------------------


def admin_login(username, password, client=None, ip="10.0.0.1"):
    client = client or Client()
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
    )


def test_admin_login_is_locked_out_like_the_others(world, settings):
    make_user("root", is_superuser=True, is_staff=True)
    for _ in range(settings.LOGIN_MAX_FAILURES_ACCOUNT):
        assert admin_login("root", "wrong-password").status_code == 200  # form re-shown
    assert (
        LoginFailure.objects.filter(username="root").count() == settings.LOGIN_MAX_FAILURES_ACCOUNT
    )
    client = Client()
    r = admin_login("root", PASSWORD, client, ip="10.9.9.9")
    assert "锁定" in r.content.decode()
    assert logged_in_as(client) is None
    # ... and the other doors are shut as well.
    assert token_login("root", PASSWORD, ip="10.9.9.9").status_code == 429


def test_page_failures_lock_the_admin_login(world, settings):
    make_user("root", is_superuser=True, is_staff=True)
    for _ in range(settings.LOGIN_MAX_FAILURES_ACCOUNT):
        page_login("root", "wrong-password")
    client = Client()
    admin_login("root", PASSWORD, client)
    assert logged_in_as(client) is None


def test_admin_login_still_works_and_every_door_is_audited(world):
    root = make_user("root", is_superuser=True, is_staff=True)
    client = Client()
    assert admin_login("root", PASSWORD, client).status_code == 302
    assert str(logged_in_as(client)) == str(root.pk)
    page_login("mgr_a", "wrong-password")
    token_login("mgr_a", PASSWORD)
    entries = AuditLog.objects.filter(action__startswith="core.login.").order_by("id")
    got = [(e.action, e.detail["channel"], e.detail["account"]) for e in entries]
    assert got == [
        ("core.login.succeeded", "admin", "root"),
        ("core.login.failed", "page", "mgr_a"),
        ("core.login.succeeded", "api", "mgr_a"),
    ]
    assert entries[0].ip == "10.0.0.1" and entries[0].actor == root


def test_admin_login_refuses_a_non_staff_user(world):
    client = Client()
    r = admin_login("mgr_a", PASSWORD, client)
    assert r.status_code == 200 and logged_in_as(client) is None
