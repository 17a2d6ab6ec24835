import pytest

from tests.guides import relevance
from tests.pages import found

pytestmark = pytest.mark.django_db


def test_the_relevance_set_covers_three_languages_with_thirty_queries():
    languages = {language for language, _query, _relevant in relevance.QUERIES}
    assert languages == {"zh-hans", "en", "km"}
    assert len(relevance.QUERIES) >= 30
    for language in languages:
        assert sum(q[0] == language for q in relevance.QUERIES) >= 8


def test_scores_count_the_first_relevant_rank_and_the_top_three():
    s = relevance.score("en", "q", {"a", "b"}, ["x", "a", "y", "b"])
    assert (s.reciprocal_rank, s.precision_at_3) == (0.5, 0.5)
    assert relevance.score("en", "q", {"a"}, []).reciprocal_rank == 0


def test_search_ranks_the_relevance_set_mrr_1_and_precision_at_3_0_98(client, seeded):
    scores = relevance.evaluate(lambda language, q: found(client, q, language))
    mrr, precision = relevance.summary(scores)
    misses = [
        (s.language, s.query, s.listed[:3])
        for s in scores
        if s.reciprocal_rank < 1 or s.precision_at_3 < 1
    ]
    assert mrr == 1 and precision >= 0.98, (mrr, precision, misses)
