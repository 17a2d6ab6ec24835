"""Publishing checks translations (issue 20, item 4): a guide whose fields or
steps lack a language is not published until the publisher says so, the
history records that they did, and the page marks the fallback text."""

from datetime import timedelta

import pytest
from django.utils import timezone
from reversion.models import Version

from guides.models import Status
from tests.editing import (
    NOTES,
    change_url,
    form_errors,
    open_form,
    save_form,
    step_field,
)
from tests.factories import make_procedure

pytestmark = pytest.mark.django_db

TICK = "publish_untranslated"


def chinese_only_step(data, position=1):
    """Step `position` written in Chinese alone: its English and Khmer emptied."""
    data[step_field(data, position, "title_zh_hans")] = "拨打客服热线"
    data[step_field(data, position, "body_zh_hans")] = "说明您要注销号码。"
    for code in ("en", "km"):
        data[step_field(data, position, f"title_{code}")] = ""
        data[step_field(data, position, f"body_{code}")] = ""


def test_a_step_only_in_chinese_does_not_go_live_on_the_english_page_silently(
    client, publisher
):
    guide = make_procedure(status=Status.REVIEW, published_at=None, steps=2)
    data = open_form(client, guide)
    chinese_only_step(data, 2)
    data.update(NOTES, _action="publish")
    response = client.post(change_url(guide), data)
    assert response.status_code == 200
    guide.refresh_from_db()
    assert guide.status == Status.REVIEW
    message = " ".join(str(e) for e in form_errors(response)["__all__"])
    assert "English" in message and "Khmer" in message
    assert "step 2" in message
    assert "step 1" not in message
    # What was typed is still in the form.
    assert "拨打客服热线" in response.content.decode()

    data[TICK] = "on"
    save_form(client, guide, data)
    guide.refresh_from_db()
    assert guide.status == Status.PUBLISHED and guide.is_public
    comment = Version.objects.get_for_object(guide).first().revision.comment
    assert "missing translations" in comment
    assert "English" in comment and "step 2" in comment

    page = client.get(guide.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert "拨打客服热线" in html
    # The step itself says it is shown in another language, not only the top.
    step = html[html.index('id="step-2"') - 10 :]
    step = step[: step.index("</h3>")]
    assert 'lang="zh-hans"' in step
    assert "Chinese" in step


def test_scheduling_a_guide_with_a_missing_language_is_refused_the_same_way(
    client, publisher
):
    guide = make_procedure(status=Status.DRAFT, published_at=None, steps=1)
    data = open_form(client, guide)
    data["summary_km"] = ""
    at = timezone.localtime(timezone.now() + timedelta(days=1))
    data.update(
        NOTES,
        _action="schedule",
        publish_at_0=at.date().isoformat(),
        publish_at_1="10:00:00",
    )
    response = client.post(change_url(guide), data)
    assert response.status_code == 200
    message = " ".join(str(e) for e in form_errors(response)["__all__"])
    assert "Khmer" in message and "summary" in message.lower()
    guide.refresh_from_db()
    assert guide.status == Status.DRAFT


def test_a_complete_guide_publishes_without_the_tick(client, publisher):
    guide = make_procedure(status=Status.REVIEW, published_at=None, steps=2)
    data = open_form(client, guide)
    data.update(NOTES, _action="publish")
    save_form(client, guide, data)
    guide.refresh_from_db()
    assert guide.status == Status.PUBLISHED


def test_editors_never_see_the_tick(client, editor):
    guide = make_procedure(status=Status.DRAFT, published_at=None, steps=1)
    assert f'name="{TICK}"' not in client.get(change_url(guide)).content.decode()
