"""The header's language links at 360 px, in each language: every link is on
the screen and inside the header, and its underline runs below the letters,
not through them. Khmer stacks a consonant under another (the ម under ខ in
ខ្មែរ); an underline at the Latin position crossed that subscript, and the
word read as cut off at the bottom."""

import base64

import pytest

from guides import content_file
from tests.browser import save_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Rows of a PNG, decoded by the page's own canvas, in which a pixel is light:
# the header is dark, its text and underlines white.
LIGHT_ROWS = """async (png) => {
  const image = new Image();
  image.src = "data:image/png;base64," + png;
  await image.decode();
  const canvas = document.createElement("canvas");
  canvas.width = image.width;
  canvas.height = image.height;
  const context = canvas.getContext("2d");
  context.drawImage(image, 0, 0);
  const {data} = context.getImageData(0, 0, image.width, image.height);
  const rows = [];
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const i = 4 * (y * image.width + x);
      if (data[i] + data[i + 1] + data[i + 2] > 3 * 160) { rows.push(y); break; }
    }
  }
  return rows;
}"""


def light_rows(page, box):
    png = page.screenshot(clip=box)
    return page.evaluate(LIGHT_ROWS, base64.b64encode(png).decode())


@pytest.fixture
def site(live_server):
    content_file.import_file(content_file.SEED_FILE)
    return live_server.url


@pytest.mark.parametrize("language", ["zh-hans", "en", "km"])
def test_every_language_link_is_whole_at_360_px(page, site, language):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{site}/{language}/")
    save_screenshot(page.locator("header.site"), f"header-languages-{language}")
    header = page.locator("header.site").bounding_box()
    links = page.locator("nav.languages > *")
    assert links.count() == 3
    for index in range(links.count()):
        link = links.nth(index)
        name = link.inner_text()
        box = link.bounding_box()
        # On the screen and inside the header, not pushed past either edge.
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360, (name, box)
        assert box["y"] >= header["y"], (name, box, header)
        assert box["y"] + box["height"] <= header["y"] + header["height"], (name, box)
        assert link.evaluate("e => e.scrollWidth <= e.clientWidth || !e.clientWidth")
        # The letters alone, then the underline alone (letters transparent):
        # the underline starts below the lowest letter row.
        area = {
            "x": box["x"],
            "y": box["y"],
            "width": box["width"],
            "height": min(box["height"] + 8, header["y"] + header["height"] - box["y"]),
        }
        link.evaluate("e => { e.style.textDecorationLine = 'none'; }")
        letters = light_rows(page, area)
        link.evaluate(
            "e => { e.style.textDecorationLine = ''; e.style.color = 'transparent';"
            " e.style.textDecorationColor = '#fff'; }"
        )
        underline = light_rows(page, area)
        link.evaluate("e => e.removeAttribute('style')")
        assert letters and underline, name
        assert min(underline) > max(letters), (
            f"{name}: underline from row {min(underline)}, letters down to "
            f"row {max(letters)} ({language} page)"
        )
