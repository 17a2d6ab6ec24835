import pytest

from portal.markup import render_markdown


def test_editor_formatting_survives():
    html = render_markdown("Bring your **passport** and\n\n- the SIM\n- a copy")
    assert "<strong>passport</strong>" in html
    assert "<li>the SIM</li>" in html


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[tap](javascript:alert(1))",
        '<a href="#" onclick="alert(1)">x</a>',
        "<iframe src=//evil.example></iframe>",
    ],
)
def test_script_never_survives(payload):
    html = render_markdown(payload).lower()
    assert "<script" not in html
    assert "onerror" not in html and "onclick" not in html
    assert "javascript:" not in html
    assert "<iframe" not in html


def test_chinese_and_khmer_text_is_untouched():
    assert "注销 ស៊ីមកាត" in render_markdown("注销 ស៊ីមកាត")
