"""No link in the guide admin's tools leads to a 404 or a 403 (issue 20,
item 8): "View on site" of a draft, "Recover deleted guides", "Record a
check" for an editor on a live guide."""

import re

import pytest
from django.urls import reverse

from guides.models import Status
from tests.editing import change_url, login, make_user
from tests.factories import make_procedure

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:guides_procedure_changelist")


def tool_links(html):
    tools = html[html.index('class="object-tools"') :]
    tools = tools[: tools.index("</ul>")]
    return re.findall(r'href="([^"]+)"', tools)


def answer(client, url):
    response = client.get(url, follow=True)
    return response.status_code


@pytest.mark.parametrize("group", ["Editors", "Publishers"])
def test_every_tool_link_of_a_guide_answers(client, group):
    login(client, make_user("someone", group))
    draft = make_procedure(status=Status.DRAFT, published_at=None, steps=1)
    live = make_procedure(steps=1)
    for guide in (draft, live):
        links = tool_links(client.get(change_url(guide)).content.decode())
        assert links
        for url in links:
            assert answer(client, url) == 200, (guide.status, url)
    draft_links = tool_links(client.get(change_url(draft)).content.decode())
    assert not any(draft.slug in url and "/admin/" not in url for url in draft_links)
    live_links = tool_links(client.get(change_url(live)).content.decode())
    assert any(url.endswith(live.get_absolute_url()) for url in live_links) or any(
        "/r/" in url for url in live_links
    )


def test_the_guide_list_offers_no_recover_link_and_its_address_answers(
    client, publisher
):
    make_procedure(status=Status.WITHDRAWN)
    html = client.get(CHANGELIST).content.decode()
    assert "Recover deleted" not in html
    for url in tool_links(html):
        assert answer(client, url) == 200, url
    response = client.get(reverse("admin:guides_procedure_recoverlist"), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].endswith("?status__exact=withdrawn")
