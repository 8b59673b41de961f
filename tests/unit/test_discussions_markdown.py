"""Posts render safely: markdown-it-py without raw HTML, then nh3 (no script, handlers, javascript: links)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

import forum.models  # noqa: F401  (every mapper, for the Post objects below)
from forum.discussions import markdown
from forum.discussions.models import DISPLAY_DEPTH, KEY_DIGITS, Post, sort_key_for

INJECTIONS = [
    "<script>alert(1)</script>",
    "<iframe src=https://evil.example></iframe>",
    "<style>body { display: none }</style>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)" onclick="alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    '[t](https://example.org "x\\" onmouseover=\\"alert(1)")',
    "<svg onload=alert(1)>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<!-- <script>alert(1)</script> -->",
    "![x](javascript:alert(1))",
]


class Elements(HTMLParser):
    """The tags and attributes a browser would build from the HTML (escaped text builds none)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


@pytest.mark.parametrize("source", INJECTIONS)
def test_injections_come_out_inert(source):
    html = markdown.render(source).html
    for tag, attrs in Elements(html).tags:
        assert tag in markdown.ALLOWED_TAGS, html
        assert not any(name.startswith("on") or name == "style" for name in attrs), html
        href = (attrs.get("href") or "").strip().lower()
        assert not href or href.startswith(("http:", "https:", "mailto:", "/", "#")), html


class Balance(HTMLParser):
    """Open elements left over at the end, and end tags that close nothing the fragment opened."""

    VOID = {"br", "hr"}

    def __init__(self, html: str) -> None:
        super().__init__()
        self.open: list[str] = []
        self.stray: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.open and self.open[-1] == tag:
            self.open.pop()
        else:
            self.stray.append(tag)


PAGE_BREAKERS = [
    "</div></article></section></main>",
    "<textarea>",
    "<title>x",
    "<plaintext>",
    "<!-- unclosed",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "```\n</pre></code></div>\n```",
    "**bold <em>unclosed",
]


@pytest.mark.parametrize("source", PAGE_BREAKERS)
def test_raw_html_cannot_break_the_page_around_a_post(source):
    """What a post renders closes every element it opens and closes nothing of the page's."""
    html = markdown.render(source).html
    balance = Balance(html)
    assert balance.open == [] and balance.stray == [], html
    assert {tag for tag, _attrs in Elements(html).tags} <= {"p", "pre", "code", "strong", "em"}, html


def test_links_are_kept_with_nofollow_and_noopener():
    html = markdown.render("See [the ILO](https://www.ilo.org) and <https://example.org/a>.").html
    assert html.count('rel="nofollow noopener noreferrer"') == 2
    assert 'href="https://www.ilo.org"' in html


def test_formatting_survives_and_headings_step_down():
    html = markdown.render("# Title\n\n**bold** *it* ~~old~~ `code`\n\n> quoted\n\n1. one\n2. two").html
    for tag in ("<h3>", "<strong>", "<em>", "<s>", "<code>", "<blockquote>", "<ol>"):
        assert tag in html
    assert "<h1>" not in html


def test_mentions_use_brackets_and_only_resolved_names_become_mentions():
    source = "Thanks @[Grace  Mensah], @[Nobody Known] and mail grace@example.org; `@[Grace Mensah]` is code."
    assert markdown.mentioned_names(source) == ["Grace Mensah", "Nobody Known"]
    html = markdown.render(source, {"grace mensah": "Grace Mensah"}).html
    assert '<span class="mention">@Grace Mensah</span>' in html
    assert "@[Nobody Known]" in html  # left as typed
    assert html.count("mention") == 1


def test_a_mention_cannot_carry_markup():
    html = markdown.render('@[<b onclick="x">Grace</b>]', {'<b onclick="x">grace</b>': "<b>"}).html
    assert "<b" not in html and "&lt;b&gt;" in html


def test_plain_text_keeps_words_apart_and_drops_control_characters():
    text = markdown.render("First\x02 paragraph.\n\nSecond *one*.").text
    assert text == "First paragraph. Second one."


def test_quote_prefills_an_attributed_block_quote():
    assert markdown.quote("Line one\n\nLine two", "Grace Mensah") == (
        "> **Grace Mensah:**\n>\n> Line one\n>\n> Line two\n\n")


def _post(number: int, parent: Post | None) -> Post:
    depth = parent.depth + 1 if parent else 0
    return Post(number=number, depth=depth, sort_key=sort_key_for(number, parent))


def test_replies_nest_to_the_display_depth_then_flatten_under_their_ancestor():
    chain = [_post(1, None)]
    for number in range(2, 8):
        chain.append(_post(number, chain[-1]))
    keys = [p.sort_key for p in chain]
    assert all(len(k) <= (DISPLAY_DEPTH + 1) * KEY_DIGITS for k in keys)
    assert [p.display_depth for p in chain] == [0, 1, 2, 3, 3, 3, 3]
    # Deeper replies sit after their parent, in writing order, under the ancestor at the cap.
    assert keys == sorted(keys)
    assert keys[4].startswith(keys[2]) and keys[5].startswith(keys[2])
    sibling = _post(8, chain[0])  # a later reply to the first post comes after the whole branch
    assert sibling.sort_key > keys[-1]
