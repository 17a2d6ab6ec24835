"""A guide's sources as visitors read them: numbered as the text cites them,
in the page's language, the disagreement box only where sources disagree."""

import re

import pytest

from guides.models import Procedure, Source
from tests.factories import make_procedure, make_step

pytestmark = pytest.mark.django_db


def sources_section(client, slug, language):
    html = client.get(f"/{language}/guides/{slug}/").content.decode()
    start = html.index('<section id="sources"')
    return html[start : html.index("</section>", start)]


def test_every_seed_guide_lists_every_article_its_text_cites(seeded):
    missing, citing = {}, 0
    for guide in Procedure.objects.prefetch_related("sources"):
        cited = guide.cited_numbers()
        listed = {source.number for source in guide.sources.all()}
        citing += bool(cited)
        if cited - listed:
            missing[guide.slug] = sorted(cited - listed)
    assert missing == {}
    assert citing >= 25  # the check reads the citations it is meant to


def test_citations_are_read_in_every_language_from_steps_and_notes():
    guide = make_procedure(summary_zh_hans="文章004说可以", source_note_km="អត្ថបទ 002")
    make_step(guide, body_en="Article 001 says so; 1–3 days.")
    assert guide.cited_numbers() == {"004", "002", "001"}


def test_sources_are_numbered_as_cited_in_the_page_language(client, seeded):
    section = sources_section(client, "smart-cancel-online", "km")
    numbers = re.findall(r'<span class="cite">អត្ថបទ (\d{3})</span>', section)
    assert numbers == ["000", "001", "003", "004"]
    assert 'id="source-article-003"' in section
    assert "អត្ថបទសហគមន៍ជាភាសាចិន" in section  # the publisher, in Khmer
    assert "Chinese-language community article" not in section
    assert Source.objects.get(key="article-003").title_km in section
    zh = sources_section(client, "smart-cancel-online", "zh-hans")
    assert re.findall(r'<span class="cite">文章(\d{3})</span>', zh) == numbers


def test_the_disagreement_box_is_only_where_sources_disagree(client, seeded):
    disputed = sources_section(client, "cootel-cancel-shop", "en")
    assert "Where sources disagree:" in disputed
    assert "article 000" in disputed and "article 003" in disputed
    agreed = sources_section(client, "smart-top-up-app", "en")
    assert "Where sources disagree" not in agreed
    assert "About these sources:" in agreed
    assert "Where sources disagree" not in sources_section(
        client, "smart-top-up-shop", "en"
    )  # no note at all
