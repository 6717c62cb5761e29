"""Notices are written in the READER's language (the recipient's account), not in
the language of the request, task or person that caused them; the account keeps
the language its user chose."""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wanjia.core.models import Notification, User
from wanjia.core.notify import notify, reader_language
from wanjia.disputes import services as disputes
from wanjia.estates.testing import PASSWORD, make_user


def _speaking(user, lang):
    User.objects.filter(pk=user.pk).update(language=lang)
    user.language = lang
    return user


def test_each_reader_gets_their_own_language(world):
    zh = make_user("reader_zh")  # never chose: the site's default
    en = _speaking(make_user("reader_en"), "en")
    for sender_lang in ("en", "zh-hans"):
        Notification.objects.all().delete()
        with translation.override(sender_lang):
            notify(
                recipients=[zh, en],
                title=gettext_lazy("菜篮子已送到门口"),
                body=lambda: _("您的矛盾纠纷已化解，请评价"),
            )
        by_user = {n.recipient_id: n for n in Notification.objects.all()}
        assert by_user[zh.pk].title == "菜篮子已送到门口"
        assert by_user[zh.pk].body == "您的矛盾纠纷已化解，请评价"
        assert by_user[en.pk].title == "Your vegetable basket is at your door"
        assert by_user[en.pk].body == "Your dispute has been settled; please rate it"


def test_plain_text_is_sent_as_written(world):
    en = _speaking(make_user("reader_en"), "en")
    (note,) = notify(recipients=[en], title="楼下停车位的事", body="谢谢")
    assert (note.title, note.body) == ("楼下停车位的事", "谢谢")


def test_unknown_or_blank_language_reads_the_default(world):
    assert reader_language(_speaking(make_user("x1"), "")) == settings.LANGUAGE_CODE
    assert reader_language(_speaking(make_user("x2"), "fr")) == settings.LANGUAGE_CODE
    assert reader_language(_speaking(make_user("x3"), "en")) == "en"


def test_a_case_opened_in_english_tells_a_chinese_reader_in_chinese(world):
    """The resident reports in English; the building leader reads Chinese, the
    manager English: each notice is in its reader's language."""
    _speaking(world.manager_a, "en")
    with translation.override("en"):
        disputes.case_open(
            actor=world.resident_a,
            compound=world.a,
            category="leak",
            summary="楼上卫生间漏水，渗到我家厨房",
            households=[world.other_home],
        )
    notes = {n.recipient_id: n for n in Notification.objects.filter(kind="disputes.opened")}
    leader = notes[world.leader_a.pk]
    assert leader.title.startswith("新的矛盾纠纷待调解：")
    assert "层级" in leader.body
    if world.manager_a.pk in notes:
        assert notes[world.manager_a.pk].title.startswith("New dispute awaiting mediation")


def test_switching_language_is_kept_on_the_account(client, world):
    user = make_user("switcher")
    client.force_login(user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    user.refresh_from_db()
    assert user.language == "en"
    client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    user.refresh_from_db()
    assert user.language == "en"  # an unknown code changes nothing


def test_login_brings_the_chosen_language_to_a_new_device(client, world):
    user = _speaking(make_user("traveller"), "en")
    response = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_login_remembers_the_language_of_one_who_never_chose(client, world):
    user = make_user("first_timer")
    client.post(
        "/login/",
        {"username": user.username, "password": PASSWORD},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    user.refresh_from_db()
    assert user.language == "en"
