"""User text in Markdown shows exactly its characters, as GitHub and GitLab render it (CommonMark
with GFM tables): checked with a CommonMark parser on hostile and generated text."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from jupyter_mlops.render import markdown as md

RENDER = MarkdownIt("commonmark").enable(["table", "strikethrough"])


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _shown(markdown: str) -> tuple[list[str], str]:
    parser = _Text()
    parser.feed(RENDER.render(markdown))
    return parser.tags, "".join(parser.parts).strip()


HOSTILE = ["<script>alert(1)</script>", "a | b || c", "**bold** _em_ `code` ~~gone~~", "@team #12 $x^2$",
           "[link](javascript:alert(1))", "![img](x.png)", "&amp; &lt; &#60;", "1. first", "- item", "+ item",
           "# heading", "> quote", "\\| escaped pipe\\", "line one\nline two", "<!-- comment -->", "   2) x"]
TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="\x00"),
               max_size=60)


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_text_is_shown_as_text(value: str) -> None:
    tags, shown = _shown(md.text(value))
    assert tags == ["p"] and shown == " ".join(value.split("\n")).strip()


@settings(max_examples=150, deadline=None)
@given(TEXT)
def test_any_text_is_one_paragraph_of_exactly_its_characters(value: str) -> None:
    tags, shown = _shown(md.text(value))
    if value.strip():
        assert tags == ["p"] and shown == value.strip()


@settings(max_examples=100, deadline=None)
@given(st.lists(TEXT, min_size=1, max_size=4))
def test_any_text_keeps_to_its_table_cell(values: list[str]) -> None:
    header = [f"h{i}" for i in range(len(values))]
    tags, _ = _shown(md.table(header, [[md.text(v) for v in values]]))
    assert tags.count("th") == len(values) and tags.count("td") == len(values)
    rendered = RENDER.render(md.table(header, [[md.text(v) for v in values]]))
    cells = rendered.split("<tbody>")[1]
    for value in values:
        parser = _Text()
        parser.feed(cells.split("</td>")[0])
        cells = cells.split("</td>", 1)[1] if "</td>" in cells else ""
        assert "".join(parser.parts).strip() == value.strip()


def test_fenced_code_outlasts_backticks_and_details_keeps_markdown_inside() -> None:
    block = md.details("summary &amp; more", md.fenced("print('```')\n````", "diff"))
    html = RENDER.render(block)
    assert '<pre><code class="language-diff">print(\'```\')\n````\n</code></pre>' in html
    assert html.startswith("<details>\n<summary>summary &amp; more</summary>")
