"""Which language a visitor reads (portal/locale.py): English for a browser in
none of the site's languages, the choice remembered, other spellings of a
prefix redirected, and every message, errors and limits included, in the
page's language."""

import re
from unittest import mock

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import make_procedure

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("accept", "language"),
    [
        ("fr-FR,fr;q=0.9", "en"),
        ("ko-KR,ko;q=0.9", "en"),
        ("ja", "en"),
        ("th-TH", "en"),
        ("vi-VN,vi;q=0.8", "en"),
        ("", "en"),
        ("de;q=0.9,km;q=0.5", "km"),  # the first the site has
        ("zh-CN,zh;q=0.9", "zh-hans"),
        ("zh-TW", "zh-hans"),  # the only Chinese there is
        ("en-GB", "en"),
        ("km-KH", "km"),
    ],
)
def test_a_browser_reads_its_language_or_english(client, accept, language):
    response = client.get("/", headers={"accept-language": accept})
    assert response.status_code == 302
    assert response["Location"] == f"/{language}/"


def test_the_language_switched_to_is_remembered(client):
    make_procedure(slug="guide")
    page = client.get("/en/guides/?q=guide").content.decode()
    # The switcher links through the remembering view; the alternates do not.
    switch = re.search(r'<a href="([^"]+)" lang="km"', page).group(1)
    assert switch.startswith("/i18n/switch/km/?next=")
    assert 'hreflang="km" href="http://testserver/km/guides/?q=guide"' in page
    response = client.get(switch.replace("&amp;", "&"))
    assert response.status_code == 302
    assert response["Location"] == "/km/guides/?q=guide"
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "km" and int(cookie["max-age"]) >= 365 * 24 * 3600
    # Back later with a French browser: the choice, not English.
    later = client.get("/", headers={"accept-language": "fr"})
    assert later["Location"] == "/km/"
    assert "ខ្មែរ" in client.get("/nowhere/").content.decode()  # a 404 too


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/en/", "//evil.example/", "javascript:x", ""]
)
def test_the_switch_never_leaves_the_site(client, next_url):
    response = client.get("/i18n/switch/en/", {"next": next_url})
    assert response["Location"] == "/en/"


def test_an_unknown_language_in_the_switch_changes_nothing(client):
    response = client.get("/i18n/switch/fr/", {"next": "/en/guides/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


@pytest.mark.parametrize(
    ("typed", "target"),
    [
        ("/zh/", "/zh-hans/"),
        ("/zh-cn/guides/?q=%E6%B3%A8", "/zh-hans/guides/?q=%E6%B3%A8"),
        ("/zh-hans-cn/guides/", "/zh-hans/guides/"),
        ("/zh-TW/", "/zh-hans/"),
        ("/kh/", "/km/"),
        ("/km-kh/guides/", "/km/guides/"),
        ("/en-us/guides/", "/en/guides/"),
        ("/EN/", "/en/"),
    ],
)
def test_other_spellings_of_a_prefix_redirect_permanently(client, typed, target):
    path, _, query = typed.partition("?")
    response = client.get(path, QUERY_STRING=query)
    assert response.status_code == 301
    assert response["Location"] == target


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", "The address is too long"),
        ("zh-hans", "网址过长"),
        ("km", "អាសយដ្ឋានវែងពេក"),
    ],
)
def test_a_414_is_in_the_language_of_the_page_asked_for(client, language, words):
    response = client.get(f"/{language}/guides/", QUERY_STRING="q=" + "x" * 9000)
    assert response.status_code == 414
    assert words in response.content.decode()


def test_a_414_without_a_language_follows_the_browser(client):
    response = client.get(
        "/", QUERY_STRING="q=" + "x" * 9000, headers={"accept-language": "fr"}
    )
    assert "The address is too long" in response.content.decode()


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", "Page not found"), ("zh-hans", "找不到"), ("km", "រកមិនឃើញទំព័រ")],
)
def test_a_404_is_in_the_page_language(client, language, words):
    response = client.get(f"/{language}/guides/no-such-guide/")
    assert response.status_code == 404
    assert words in response.content.decode()


def test_a_404_outside_the_languages_follows_the_browser(client):
    response = client.get("/no-such-page", headers={"accept-language": "ko"})
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", "Bad request"), ("zh-hans", "请求有误"), ("km", "សំណើមិនត្រឹមត្រូវ")],
)
def test_a_400_is_in_the_page_language(language, words):
    client = Client(raise_request_exception=False)
    response = client.get(f"/{language}/guides/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert words in response.content.decode()


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", "Something went wrong"), ("zh-hans", "出错"), ("km", "មានបញ្ហា")],
)
def test_a_500_is_in_the_page_language(language, words):
    client = Client(raise_request_exception=False)
    with mock.patch(
        "guides.public.views.ProcedureListView.get_queryset", side_effect=RuntimeError
    ):
        response = client.get(f"/{language}/guides/")
    assert response.status_code == 500
    assert words in response.content.decode()


def test_robots_keep_out_of_the_switch_links(client):
    assert "Disallow: /i18n/" in client.get("/robots.txt").content.decode()


LABEL = re.compile(r"<label[^>]*>(?:<input[^>]*>)?\s*(.*?)</label>", re.S)


@pytest.mark.parametrize("language", ["zh-hans", "km", "en"])
def test_form_labels_end_in_one_mark_of_their_language(client, language):
    """Django adds ":" to a label unless it ends in ASCII punctuation: a
    Chinese question read "问题出在哪里？:". In Chinese the suffix is "："."""
    make_procedure(slug="g", steps=2)
    labels = []
    for path in ("guides/g/report/", "guides/g/did-it-work/"):
        labels += LABEL.findall(client.get(f"/{language}/{path}").content.decode())
    assert len(labels) >= 6
    for label in labels:
        assert not re.search(r"[？：。！?!.:][:：]$", label), label
        if language == "zh-hans":
            assert not label.endswith(":"), label
    if language == "zh-hans":
        assert any(label.endswith("？") for label in labels)
        assert any(label.endswith("：") for label in labels)


def test_chinese_interface_text_is_in_one_register():
    """您 throughout, never 你: the interface speaks to every visitor alike."""
    po = (settings.BASE_DIR / "locale/zh_Hans/LC_MESSAGES/django.po").read_text()
    translated = [
        line for line in po.splitlines() if not line.startswith(("#", "msgid"))
    ]
    assert not [line for line in translated if "你" in line]
    assert any("您" in line for line in translated)
