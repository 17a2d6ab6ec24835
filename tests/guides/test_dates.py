"""Every date a visitor reads is Phnom Penh's (UTC+7), in the page's language,
and every `<time datetime>` is valid: seconds and an offset, no microseconds."""

import re
from datetime import UTC, datetime

import pytest

from guides.models import Update, UpdateKind
from tests.factories import make_procedure, trilingual

pytestmark = pytest.mark.django_db

# 23:30 UTC on 30 November is 06:30 on 1 December in Phnom Penh.
LATE_EVENING_UTC = datetime(2026, 11, 30, 23, 30, 5, 123456, tzinfo=UTC)
DATETIME_ATTRIBUTE = re.compile(r'<time datetime="([^"]*)"')


@pytest.fixture
def changed_late_utc(time_machine):
    time_machine.move_to(LATE_EVENING_UTC, tick=False)
    guide = make_procedure(title_en="Cancel at a Smart shop", slug="cancel-smart")
    Update.objects.create(
        procedure=guide,
        kind=UpdateKind.CHANGED,
        published_at=LATE_EVENING_UTC,
        **trilingual("note", "The fee is now US$0.50"),
    )
    guide.updated_at = LATE_EVENING_UTC
    guide.save(update_fields=["updated_at"])
    return guide


@pytest.mark.parametrize(
    "address",
    ["/en/", "/en/updates/", "/en/guides/cancel-smart/"],
)
def test_a_change_saved_at_2330_utc_reads_as_the_next_day(
    client, changed_late_utc, address
):
    html = client.get(address).content.decode()
    assert "December 1, 2026" in html or "Dec. 1, 2026" in html
    assert "November 30" not in html and "Nov. 30" not in html
    assert "2026-11-30" not in html
    stamps = DATETIME_ATTRIBUTE.findall(html)
    assert stamps, "the date is marked up as <time datetime>"
    assert set(stamps) == {"2026-12-01T06:30:05+07:00"}


def test_dates_follow_the_page_language(client, changed_late_utc):
    chinese = client.get("/zh-hans/guides/cancel-smart/").content.decode()
    assert "2026年12月1日" in chinese


def test_structured_data_carries_local_time_without_microseconds(
    client, changed_late_utc
):
    html = client.get("/en/guides/cancel-smart/").content.decode()
    assert '"dateModified": "2026-12-01T06:30:05+07:00"' in html
