"""The home page at 360 px in each language: the situations fit the screen
(nothing scrolls sideways) and the first one is on the first screen."""

import pytest

from guides import content_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(live_server):
    content_file.import_file(content_file.SEED_FILE)
    return live_server.url


@pytest.mark.parametrize("language", ["zh-hans", "en", "km"])
def test_the_situations_fit_a_phone(page, site, language, screenshot):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{site}/{language}/")
    widths = page.evaluate(
        """() => {
          const buttons = [...document.querySelectorAll("form.situations button")];
          return {page: document.documentElement.scrollWidth,
                  widest: Math.max(...buttons.map((b) => b.getBoundingClientRect()
                    .right)),
                  first: buttons[0].getBoundingClientRect().bottom};
        }"""
    )
    screenshot(f"home-{language}")
    assert widths["page"] <= 360 and widths["widest"] <= 360, widths
    assert widths["first"] < 740, widths
