"""“Did this work?” (guides/feedback/outcomes.py, views.did_it_work): the form on the
cached guide page, the figures it feeds, and the task a run of “no” opens."""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from guides.feedback import outcomes
from guides.models import FailingStep, Outcome
from portal.models import ContentGeneration, RateLimitCounter
from tests.editing import login, make_user
from tests.factories import make_procedure

pytestmark = pytest.mark.django_db

SAME_ORIGIN = {"HTTP_SEC_FETCH_SITE": "same-origin"}


def answer_url(guide, language="en"):
    with translation.override(language):
        return reverse("guides:did-it-work", kwargs={"slug": guide.slug})


def guide_page(client, guide, language="en"):
    with translation.override(language):
        response = client.get(guide.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def answer(client, guide, worked, step=None, text="", **headers):
    data = {"worked": "yes" if worked else "no", "step": step.pk if step else ""}
    data["what_happened"] = text
    return client.post(answer_url(guide), data, **(headers or SAME_ORIGIN))


def add_answers(guide, worked, failed, *, step=None, days_ago=0):
    at = timezone.now() - timedelta(days=days_ago)
    rows = [Outcome(procedure=guide, worked=True) for _ in range(worked)]
    rows += [Outcome(procedure=guide, worked=False, step=step) for _ in range(failed)]
    made = Outcome.objects.bulk_create(rows)
    Outcome.objects.filter(pk__in=[o.pk for o in made]).update(created_at=at)


def test_a_visitor_answers_no_at_step_2_on_the_cached_guide_page(page_cache):
    guide = make_procedure(steps=3)
    step = guide.steps.get(position=2)
    # A browser with CSRF checks on, as in production: the cached page
    # carries no token and sets no cookie, and the answer is still taken.
    browser = Client(enforce_csrf_checks=True)
    html = guide_page(browser, guide, "km")
    assert guide_page(browser, guide, "km") == html  # served from the cache
    assert f'<form method="post" action="{answer_url(guide, "km")}"' in html
    assert "csrfmiddlewaretoken" not in html
    assert f'<option value="{step.pk}">2. Step 2 (ខ្មែរ)</option>' in html

    with translation.override("km"):
        response = browser.post(
            answer_url(guide, "km"),
            {"worked": "no", "step": step.pk, "what_happened": " The code failed. "},
            HTTP_SEC_FETCH_SITE="same-origin",
        )
    assert response.status_code == 302
    assert response["Location"].endswith("/did-it-work/thanks/?answer=no")
    outcome = Outcome.objects.get()
    assert (outcome.procedure, outcome.worked, outcome.step) == (guide, False, step)
    assert (outcome.what_happened, outcome.language) == ("The code failed.", "km")
    # Nothing about the visitor: no field could hold an address or agent.
    assert {f.name for f in Outcome._meta.concrete_fields} == {
        "id", "procedure", "worked", "step", "what_happened", "language", "created_at"
    }  # fmt: skip
    with translation.override("en"):
        thanks = Client().get(response["Location"].replace("/km/", "/en/"))
    assert "report a problem" in thanks.content.decode()


def test_the_rate_limit_keeps_a_hash_of_the_address_not_the_address(client):
    guide = make_procedure(steps=1)
    answer(client, guide, True, REMOTE_ADDR="203.0.113.77", **SAME_ORIGIN)
    keys = list(RateLimitCounter.objects.values_list("key", flat=True))
    assert keys and not any("203.0.113.77" in key for key in keys)


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_SEC_FETCH_SITE": "cross-site"},
        {"HTTP_SEC_FETCH_SITE": "same-site"},
        {"HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_ORIGIN": "null"},
    ],
)
def test_an_answer_sent_from_another_site_is_refused(client, headers):
    guide = make_procedure(steps=1)
    response = answer(client, guide, False, **headers)
    assert response.status_code == 403
    assert "another website" in response.content.decode()
    assert not Outcome.objects.exists()


@pytest.mark.parametrize(
    "headers",
    [{"HTTP_ORIGIN": "http://testserver"}, {"HTTP_SEC_FETCH_SITE": "none"}, {}],
)
def test_same_site_or_headerless_answers_are_taken(client, headers):
    guide = make_procedure(steps=1)
    client.post(answer_url(guide), {"worked": "yes"}, **headers)
    assert Outcome.objects.count() == 1


def test_a_yes_keeps_no_step_or_text(client):
    guide = make_procedure(steps=2)
    answer(client, guide, True, step=guide.steps.first(), text="all fine")
    outcome = Outcome.objects.get()
    assert (outcome.worked, outcome.step, outcome.what_happened) == (True, None, "")


def test_bad_input_shows_the_form_on_its_own_with_what_to_correct(client):
    guide = make_procedure(steps=1)
    foreign = make_procedure(steps=1).steps.get()
    response = client.post(answer_url(guide), {"step": ""}, **SAME_ORIGIN)
    assert response.status_code == 400
    assert "Choose yes or no." in response.content.decode()
    response = client.post(
        answer_url(guide),
        {"worked": "no", "step": foreign.pk, "what_happened": "x" * 1001},
        **SAME_ORIGIN,
    )
    assert response.status_code == 400
    assert re.findall(
        r'<div class="field has-errors">\s*<label for="outcome_(\w+)"',
        response.content.decode(),
    ) == ["step", "what_happened"]
    assert "x" * 1001 in response.content.decode()  # the visitor's text is kept
    response = client.post(answer_url(guide), {"worked": "maybe"}, **SAME_ORIGIN)
    assert response.status_code == 400
    assert not Outcome.objects.exists()
    assert (
        client.post(answer_url(make_procedure(status="draft")), {}).status_code == 404
    )


def test_a_filled_honeypot_is_thanked_but_not_kept(client):
    guide = make_procedure()
    data = {"worked": "no", "website": "http://spam.test"}
    assert client.post(answer_url(guide), data).status_code == 302
    assert not Outcome.objects.exists()


def test_one_client_gives_at_most_ten_answers_an_hour(client):
    guide = make_procedure()
    for _ in range(10):
        assert answer(client, guide, True).status_code == 302
    response = answer(client, guide, True)
    assert response.status_code == 429
    assert "many times" in response.content.decode()
    assert Outcome.objects.count() == 10
    other = answer(client, guide, True, REMOTE_ADDR="198.51.100.7", **SAME_ORIGIN)
    assert other.status_code == 302


def test_figures_show_only_from_ten_answers_in_ninety_days(client):
    guide = make_procedure(steps=2)
    add_answers(guide, 5, 3)
    add_answers(guide, 20, 0, days_ago=91)  # too old to count
    html = guide_page(client, guide)
    assert "Too few answers yet (fewer than 10 in 90 days)" in html
    assert "Worked for" not in html

    add_answers(guide, 1, 1, days_ago=89)
    html = guide_page(client, guide)
    assert "Worked for 6 of 10 visitors in the last 90 days" in html


def test_the_comparison_of_ways_shows_each_ways_figure(client):
    guide = make_procedure(steps=1)
    app = make_procedure(carrier=guide.carrier, task=guide.task, channel="app")
    hotline = make_procedure(task=guide.task, channel="hotline")
    add_answers(app, 9, 3)
    add_answers(hotline, 2, 2)
    html = guide_page(client, guide)
    rows = re.findall(r"<tr[^>]*><td>.*?</tr>", html, re.S)
    assert len(rows) == 3
    cells = {}
    for row in rows:
        linked = re.search(r"guides/([\w-]+)/", row)
        cells[linked.group(1) if linked else guide.slug] = row
    assert "<td>9 of 12</td>" in cells[app.slug]
    assert "too few answers" in cells[hotline.slug]
    assert "too few answers" in cells[guide.slug]


def test_answers_do_not_move_the_content_generation(client, page_cache):
    guide = make_procedure(steps=1)
    add_answers(guide, 9, 0)
    before = ContentGeneration.objects.get().number
    assert "Too few answers" in guide_page(client, guide)
    answer(client, guide, True)
    assert ContentGeneration.objects.get().number == before
    # The cached page keeps its figure until its entry ends (PAGE_CACHE_SECONDS);
    # then the page is rendered with the new one.
    assert "Too few answers" in guide_page(client, guide)
    cache.clear()
    assert "Worked for 10 of 10 visitors" in guide_page(client, guide)


def test_answers_older_than_ninety_days_are_deleted(client):
    guide = make_procedure()
    add_answers(guide, 3, 0, days_ago=91)
    add_answers(guide, 2, 0, days_ago=80)
    answer(client, guide, True)
    assert Outcome.objects.count() == 3


def test_three_noes_at_one_step_in_the_last_five_answers_open_a_task(client):
    guide = make_procedure(steps=3)
    step2, step3 = guide.steps.get(position=2), guide.steps.get(position=3)
    answer(client, guide, False, step2)
    answer(client, guide, False, step3)
    answer(client, guide, True)
    answer(client, guide, False, step2)
    assert not FailingStep.objects.exists()  # two at step 2 so far
    answer(client, guide, True)
    answer(client, guide, True)
    answer(client, guide, False, step2)
    # The first no at step 2 has left the last five: still only two.
    assert not FailingStep.objects.exists()
    answer(client, guide, False, step2)
    task = FailingStep.objects.get()
    assert task.step == step2 and task.resolved_at is None
    answer(client, guide, False, step2)  # one task per step while it is open
    assert FailingStep.objects.count() == 1


def test_editors_see_the_failing_step_and_resolving_restarts_the_count(client):
    guide = make_procedure(steps=2, title_en="Top up by app")
    step = guide.steps.get(position=2)
    visitor = Client()
    for _ in range(3):
        answer(visitor, guide, False, step)
    login(client, make_user("editor", "Editors"))
    queue = reverse("admin:guides_procedure_attention")
    response = client.get(queue, {"kind": "failing_step"})
    task = FailingStep.objects.get()
    [item] = response.context["items"]
    assert item.pk == task.pk and item.procedure.title_en == "Top up by app"
    page = response.content.decode()
    row = page[page.index(f'id="item-failing_step-{task.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "Top up by app" in row and "Step 2" in row
    assert reverse("admin:guides_failingstep_change", args=[task.pk]) in row
    claimed = client.post(
        reverse("admin:guides_procedure_attention_claim"),
        {"kind": "failing_step", "item": task.pk, "action": "claim"},
        follow=True,
    )
    assert "Claimed" in claimed.content.decode()

    detail = client.get(reverse("admin:guides_failingstep_change", args=[task.pk]))
    answers = re.search(r'href="([^"]+)">See the answers', detail.content.decode())
    listed = client.get(answers.group(1).replace("&amp;", "&"))
    assert listed.status_code == 200 and listed.context["cl"].result_count == 3
    response = client.post(
        reverse("admin:guides_failingstep_changelist"),
        {"action": "resolve", "_selected_action": [task.pk]},
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.resolved_at is not None and task.resolved_by.username == "editor"
    # Done: out of the queue, though it was claimed.
    assert not client.get(queue, {"kind": "failing_step"}).context["items"]
    # The noes before the resolution no longer count: a new run is needed.
    answer(visitor, guide, False, step, REMOTE_ADDR="198.51.100.8", **SAME_ORIGIN)
    answer(visitor, guide, False, step, REMOTE_ADDR="198.51.100.8", **SAME_ORIGIN)
    assert FailingStep.objects.filter(resolved_at=None).count() == 0
    answer(visitor, guide, False, step, REMOTE_ADDR="198.51.100.8", **SAME_ORIGIN)
    assert FailingStep.objects.filter(resolved_at=None).count() == 1


def test_editors_read_answers_but_cannot_change_or_delete_them(client):
    guide = make_procedure(steps=1)
    answer(Client(), guide, False, guide.steps.get(), text="Shop was closed")
    login(client, make_user("editor", "Editors"))
    listing = client.get(reverse("admin:guides_outcome_changelist"))
    assert "Shop was closed" in listing.content.decode()
    outcome = Outcome.objects.get()
    delete = reverse("admin:guides_outcome_delete", args=[outcome.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Outcome.objects.exists()


def test_figures_cost_one_query_whatever_the_number_of_guides(
    django_assert_num_queries,
):
    guides = [make_procedure() for _ in range(5)]
    for guide in guides:
        add_answers(guide, 10, 2)
    with django_assert_num_queries(1):
        figures = outcomes.figures([g.pk for g in guides])
    assert {f.answers for f in figures.values()} == {12}


def test_the_print_view_and_a_drafts_preview_have_no_form(client):
    guide = make_procedure(steps=1)
    with translation.override("en"):
        printed = client.get(reverse("guides:procedure-print", args=[guide.slug]))
    assert 'class="did-it-work"' not in printed.content.decode()
    draft = make_procedure(steps=1, status="draft")
    login(client, make_user("editor", "Editors"))
    preview = client.get(reverse("admin:guides_procedure_preview", args=[draft.pk]))
    assert preview.status_code == 200
    assert "Too few answers" in preview.content.decode()
    assert 'class="did-it-work"' not in preview.content.decode()


def test_the_finder_shows_how_often_each_way_worked(client):
    guide = make_procedure(title_en="By app")
    other = make_procedure(task=guide.task, title_en="At a shop")
    add_answers(guide, 11, 1)
    add_answers(other, 2, 1)
    with translation.override("en"):
        page = client.get(reverse("guides:procedure-list"), {"task": guide.task.slug})
    html = page.content.decode()
    item = html[html.index("By app") : html.index("</li>", html.index("By app"))]
    assert '<span class="outcome">worked for 11 of 12 visitors</span>' in item
    item = html[html.index("At a shop") : html.index("</li>", html.index("At a shop"))]
    assert "worked for" not in item


def test_the_daily_prune_deletes_answers_older_than_90_days_with_no_new_answer():
    """The page promises 90 days: on a quiet site no new answer comes to prune
    the old ones, so `manage.py prune_answers` (daily) does."""
    guide = make_procedure(steps=1)
    old, recent = (
        Outcome.objects.create(procedure=guide, worked=False, what_happened=text)
        for text in ("91 days ago", "89 days ago")
    )
    now = timezone.now()
    Outcome.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=91))
    Outcome.objects.filter(pk=recent.pk).update(created_at=now - timedelta(days=89))
    out = StringIO()
    call_command("prune_answers", stdout=out)
    assert list(Outcome.objects.values_list("what_happened", flat=True)) == [
        "89 days ago"
    ]
    assert out.getvalue().splitlines()[0] == "Deleted 1 answer(s) older than 90 days."
