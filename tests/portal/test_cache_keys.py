"""What a cached page is keyed by (portal/pagecache.py, portal.middleware.
HostPortMiddleware): only what the page depends on, so that nobody can fill
the cache by varying what the page ignores, and only GET and HEAD reach a page."""

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse

from tests.factories import make_procedure
from tests.pages import fetch, slugs
from tests.portal.conftest import production_settings
from tests.portal.public_urls import public_urls

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache")]


def page_entries():
    """The pages the (per-process) test cache holds."""
    return [key for key in cache._cache if ":page:" in key]


def test_tracking_parameters_do_not_make_new_cache_entries(client):
    guide = make_procedure()
    url = f"/en/guides/{guide.slug}/"
    for n in range(50):
        response, html = fetch(client, f"{url}?utm_source=mail{n}&fbclid={n}")
        assert response.status_code == 200
        assert guide.title_en in html
    assert len(page_entries()) == 1


def test_a_page_never_sees_a_parameter_it_does_not_read(client):
    make_procedure(slug="cancel-online", title_en="Cancel online")
    response, html = fetch(client, "/en/guides/?q=cancel&utm_campaign=EVIL-TAG")
    assert slugs(response) == ["cancel-online"]
    assert "EVIL-TAG" not in html
    # The same page as without it, from the same entry.
    assert fetch(client, "/en/guides/?q=cancel")[1] == html
    assert len(page_entries()) == 1


def test_the_order_of_the_parameters_does_not_make_a_new_entry(client):
    guide = make_procedure()
    carrier, task = guide.carrier.slug, guide.task.slug
    first = fetch(client, f"/en/guides/?carrier={carrier}&task={task}")[0]
    second = fetch(client, f"/en/guides/?task={task}&carrier={carrier}")[0]
    assert slugs(first) == slugs(second) == [guide.slug]
    assert len(page_entries()) == 1


def test_a_page_keeps_at_most_the_allowed_number_of_variants(client, settings):
    settings.PAGE_CACHE_VARIANTS = 5
    make_procedure(slug="top-up-at-a-shop", title_en="Top up at a shop")
    for n in range(20):
        response = client.get("/en/guides/", {"q": f"top up {n}"})
        assert response.status_code == 200
    # A search still finds what it finds once the variants are used up.
    assert slugs(client.get("/en/guides/", {"q": "top up"})) == ["top-up-at-a-shop"]
    assert len(page_entries()) == 5
    # The page without parameters is not a variant: it is always kept.
    fetch(client, "/en/guides/")
    assert len(page_entries()) == 6


@pytest.fixture
def served_on(settings):
    def configure(*entries):
        values = production_settings(DJANGO_ALLOWED_HOSTS=",".join(entries))
        settings.ALLOWED_HOSTS = [*values["ALLOWED_HOSTS"], "testserver"]
        settings.HOST_PORTS = values["HOST_PORTS"]

    return configure


def test_a_port_the_site_is_not_served_on_is_refused_before_the_cache(served_on):
    served_on("sim.example.org")
    guide = make_procedure()
    url = f"/en/guides/{guide.slug}/"
    assert Client(HTTP_HOST="sim.example.org").get(url).status_code == 200
    for host in ("sim.example.org:123456789", "sim.example.org:8000"):
        assert Client(HTTP_HOST=host).get(url).status_code == 400
    assert len(page_entries()) == 1


def test_a_host_named_with_its_port_takes_that_port_only(served_on):
    served_on("127.0.0.1:8000", "localhost:*")
    url = reverse("guides:home")
    assert Client(HTTP_HOST="127.0.0.1:8000").get(url).status_code == 200
    assert Client(HTTP_HOST="127.0.0.1:8001").get(url).status_code == 400
    assert Client(HTTP_HOST="localhost:8123").get(url).status_code == 200


def test_a_host_listed_with_a_port_is_refused_without_it(served_on):
    """README: "a name alone takes no port", and a name with its port takes
    that port only: `Host: 127.0.0.1` is not `127.0.0.1:8000`."""
    served_on("127.0.0.1:8000", "localhost:*", "sim.example.org")
    url = reverse("guides:home")
    assert Client(HTTP_HOST="127.0.0.1").get(url).status_code == 400
    assert Client(HTTP_HOST="localhost").get(url).status_code == 200
    assert Client(HTTP_HOST="sim.example.org").get(url).status_code == 200


def test_a_refused_host_is_one_log_line(served_on, caplog):
    served_on("sim.example.org")
    url = reverse("guides:home")
    with caplog.at_level("WARNING"):
        for host in ("evil.example", "sim.example.org:8000"):
            assert Client(HTTP_HOST=host).get(url).status_code == 400
    refused = [r for r in caplog.records if "HTTP_HOST" in r.getMessage()]
    assert len(refused) == 2
    assert all(r.exc_info is None and "\n" not in r.getMessage() for r in refused)
    assert "Traceback" not in caplog.text


def test_allowed_hosts_are_read_with_their_ports():
    values = production_settings(
        DJANGO_ALLOWED_HOSTS="sim.example.org,127.0.0.1:8000,[::1]:*"
    )
    assert values["ALLOWED_HOSTS"] == ["sim.example.org", "127.0.0.1", "[::1]"]
    assert values["HOST_PORTS"] == [
        ("sim.example.org", ""),
        ("127.0.0.1", "8000"),
        ("[::1]", "*"),
    ]
    with pytest.raises(ImproperlyConfigured, match=r"sim\.example\.org:https"):
        production_settings(DJANGO_ALLOWED_HOSTS="sim.example.org:https")


@pytest.mark.parametrize("method", ["OPTIONS", "TRACE", "PUT", "DELETE", "PATCH"])
def test_public_pages_and_feeds_answer_only_get_and_head(client, method):
    make_procedure(steps=1)
    pages = public_urls(client, languages=["en"])
    assert any("/feeds/" in url for url in pages)
    robot = Client(enforce_csrf_checks=False)
    for url in [*pages, reverse("robots"), reverse("healthz")]:
        response = robot.generic(method, url)
        assert response.status_code == 405, (method, url, response.status_code)
        # Reports and "did this work?" answers are posted; nothing else is.
        posted = url.endswith(("/report/", "/did-it-work/"))
        assert response["Allow"] == ("GET, HEAD, POST" if posted else "GET, HEAD")
        assert not response.content
        assert robot.head(url).status_code == 200


def test_the_report_form_takes_get_and_post_only(client):
    guide = make_procedure(steps=1)
    url = reverse("guides:report", kwargs={"slug": guide.slug})
    assert client.get(url).status_code == 200
    assert client.options(url).status_code == 405
    thanks = reverse("guides:report-thanks", kwargs={"slug": guide.slug})
    assert client.get(thanks).status_code == 200
    assert client.options(thanks).status_code == 405
