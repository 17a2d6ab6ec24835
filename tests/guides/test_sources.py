"""A guide's sources as visitors read them: numbered as the text cites them,
in the page's language, the disagreement box only where sources disagree."""

import pytest

from guides.models import Procedure, Source
from tests.factories import make_procedure, make_step

pytestmark = pytest.mark.django_db


def sources_section(client, slug, language):
    html = client.get(f"/{language}/guides/{slug}/").content.decode()
    start = html.index('<section id="sources"')
    return html[start : html.index("</section>", start)]


# How the guides' text names each community article, in every language.
COMMUNITY_NAMES = {
    "community-online-cancellation": "online-cancellation community article",
    "community-cancel-steps": "step-by-step cancellation community article",
    "community-shop-cancellation": "shop-cancellation community article",
    "community-tourist-sim": "tourist-SIM community article",
    "community-top-up": "top-up community article",
}


def test_every_seed_guide_lists_every_community_article_its_text_names(seeded):
    missing, naming = {}, 0
    for guide in Procedure.objects.prefetch_related("sources", "steps"):
        text = " ".join(
            [guide.summary_en, guide.where_en, guide.source_note_en]
            + [step.body_en + step.title_en for step in guide.steps.all()]
            + [r.condition_en + r.note_en for r in guide.requirements.all()]
        )
        named = {key for key, name in COMMUNITY_NAMES.items() if name in text}
        # "the online-cancellation and tourist-SIM community articles"
        for key, name in COMMUNITY_NAMES.items():
            if name.replace(" community article", "") + " and " in text:
                named.add(key)
        listed = {source.key for source in guide.sources.all()}
        naming += bool(named)
        if named - listed:
            missing[guide.slug] = sorted(named - listed)
        assert guide.cited_numbers() == set(), guide.slug  # no bare "Article 003"
    assert missing == {}
    assert naming >= 25  # the check reads the names it is meant to


def test_every_seed_source_says_what_kind_it_is_and_when_it_was_read(seeded):
    kinds = ("carrier's", "community article", "news", "bank's")
    for source in Source.objects.all():
        assert any(kind in source.publisher_en for kind in kinds), source.key
        if not source.key.startswith("community-"):
            assert source.url.startswith("http"), source.key
            assert "read on 7 December 2026" in source.note_en, source.key
            assert "2026年12月7日读取" in source.note_zh_hans, source.key
            assert "verified" not in source.note_en.casefold(), source.key


def test_citations_are_read_in_every_language_from_steps_and_notes():
    guide = make_procedure(summary_zh_hans="文章004说可以", source_note_km="អត្ថបទ 002")
    make_step(guide, body_en="Article 001 says so; 1–3 days.")
    assert guide.cited_numbers() == {"004", "002", "001"}


def test_sources_are_named_and_linked_in_the_page_language(client, seeded):
    section = sources_section(client, "smart-cancel-online", "km")
    assert '<span class="cite">' not in section  # named, not numbered
    assert 'id="source-community-tourist-sim"' in section
    assert "អត្ថបទសហគមន៍ជាភាសាចិន" in section  # the publisher, in Khmer
    assert "Chinese-language community article" not in section
    assert Source.objects.get(key="community-tourist-sim").title_km in section
    metfone = sources_section(client, "metfone-prepaid-expiry", "en")
    url = "https://www.metfone.com.kh/en/revoking-prepaid-number"
    assert f'<a href="{url}"' in metfone
    assert "Metfone (the carrier&#39;s own website)" in metfone or (
        "Metfone (the carrier's own website)" in metfone
    )
    assert "From Metfone&#39;s website, read on 7 December 2026." in metfone or (
        "From Metfone's website, read on 7 December 2026." in metfone
    )


def test_the_disagreement_box_is_only_where_sources_disagree(client, seeded):
    disputed = sources_section(client, "cootel-cancel-shop", "en")
    assert "Where sources disagree:" in disputed
    assert "online-cancellation community article" in disputed
    assert "tourist-SIM community article" in disputed
    agreed = sources_section(client, "smart-top-up-app", "en")
    assert "Where sources disagree" not in agreed
    assert "About these sources:" in agreed
    assert "Where sources disagree" not in sources_section(
        client, "smart-top-up-shop", "en"
    )  # no note at all
