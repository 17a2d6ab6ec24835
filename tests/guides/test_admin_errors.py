"""Errors are visible where they are: a summary at the top names each field and
its language with a link to it, and a collapsed section holding an error is
rendered open, without any script."""

import re

import pytest

from tests.editing import change_url, open_form
from tests.factories import make_procedure

pytestmark = pytest.mark.django_db


def details_around(page, field_id):
    """Whether the field sits inside a closed <details> (a collapsed section)."""
    before = page[: page.index(f'id="{field_id}"')]
    return before.count("<details") > before.count("</details>")


def test_an_error_in_a_collapsed_section_opens_it_and_is_summarised(client, publisher):
    guide = make_procedure(steps=1)
    data = open_form(client, guide)
    page = client.get(change_url(guide)).content.decode()
    assert details_around(page, "id_sources")  # collapsed when fine

    data.update(sources=["999999"], minor_reason="Tidying up")
    response = client.post(change_url(guide), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert not details_around(page, "id_sources")
    summary = page[page.index('class="error-summary"') :]
    summary = summary[: summary.index("</div>")]
    assert re.search(r'<a href="#id_sources">[^<]*</a> — Select a valid', summary)


def test_an_empty_chinese_title_is_named_with_its_language(client, publisher):
    guide = make_procedure(steps=1)
    data = open_form(client, guide)
    data.update(title_zh_hans="", minor_reason="Tidying up")
    response = client.post(change_url(guide), data)
    page = response.content.decode()
    assert '<a href="#id_title_zh_hans">Title (简体中文)</a>' in page
    # The script that marks and shows the language tab is on the page.
    assert "guides/admin-error-tabs.js" in page


def test_a_step_error_links_to_the_steps_field(client, publisher):
    guide = make_procedure(steps=2)
    data = open_form(client, guide)
    index = next(
        k.split("-")[1]
        for k, v in data.items()
        if k.endswith("-position") and k.startswith("steps-") and v == "2"
    )
    data[f"steps-{index}-title_zh_hans"] = ""
    data["minor_reason"] = "Tidying up"
    page = client.post(change_url(guide), data).content.decode()
    assert (
        f'<a href="#id_steps-{index}-title_zh_hans">Step 2: Title (简体中文)</a>'
        in page
    )


def test_no_summary_on_a_form_without_errors(client, publisher):
    guide = make_procedure(steps=1)
    page = client.get(change_url(guide)).content.decode()
    assert 'class="error-summary"' not in page
