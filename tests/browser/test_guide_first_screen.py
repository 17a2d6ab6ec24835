"""Every published seed guide, at 360 × 740 in Chromium: the title of step 1 is
on the first screen, without scrolling (issue 22: it used to start at
2,100–3,200 px, after nine tiles, "which way is fastest" and "before you
start")."""

import pytest

from guides import content_file
from guides.models import Procedure
from tests.browser import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREEN = 740
LANGUAGES = ("zh-hans", "en", "km")

# Where the first step's title ends, and how tall the whole page is, in CSS px.
MEASURE = """() => {
  const title = document.querySelector("ol.steps > li:first-child h3");
  if (!title) return null;
  const box = title.getBoundingClientRect();
  const tables = [...document.querySelectorAll(".compare .table-wrap")];
  return {top: box.top + scrollY, bottom: box.bottom + scrollY,
          height: document.documentElement.scrollHeight,
          wide: tables.filter(t => t.scrollWidth > t.clientWidth).length,
          page_width: document.documentElement.scrollWidth};
}"""


@pytest.fixture
def site(live_server):
    content_file.import_file(content_file.SEED_FILE)
    return live_server.url


def test_step_1_is_on_the_first_screen_of_every_seed_guide(page, site):
    slugs = list(Procedure.objects.published().values_list("slug", flat=True))
    assert len(slugs) >= 30
    below, rows = [], ["language\tguide\tstep 1 top\tpage height"]
    for language in LANGUAGES:
        for slug in slugs:
            page.goto(f"{site}/{language}/guides/{slug}/")
            figures = page.evaluate(MEASURE)
            assert figures, f"{language}/{slug} shows no step 1"
            rows.append(
                f"{language}\t{slug}\t{figures['top']:.0f}\t{figures['height']}"
            )
            # "Other ways" fits the phone: no table scrolls sideways.
            if figures["wide"] or figures["page_width"] > 360:
                below.append(f"{language}/{slug}: a table wider than 360 px")
            if figures["bottom"] > SCREEN:
                below.append(f"{language}/{slug}: step 1 at {figures['top']:.0f} px")
    # The figures behind the verdict, for the reviewer (test-artifacts/).
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS.parent / "first-screen.tsv").write_text("\n".join(rows) + "\n")
    assert below == [], "\n".join(below)
