"""Markdown to safe HTML for posts: markdown-it-py renders, nh3 sanitises.

Raw HTML is never passed through (markdown-it's `html` option is off, so `<script>` arrives as
text), images are not rendered (they would load from other sites), links keep only http, https
and mailto targets and get `rel="nofollow noopener noreferrer"`, and nh3 then keeps a short list
of tags without any event handler or style attribute — a second wall if the first one cracks.
Headings are shifted down two levels so that a post's "# Title" does not compete with the page's.

Mentions are written `@[Full Name]` (brackets, so that names with spaces, accents and hyphens are
unambiguous). `mentioned_names()` lists them; `render()` turns those whose names are given as
resolved into `<span class="mention">@Name</span>` and leaves the others as typed.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

MAX_MENTION = 120
ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote", "ul", "ol", "li", "a",
    "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "span",
}
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {"a": {"href", "title"}, "ol": {"start"}, "span": set()}
ALLOWED_CLASSES = {"span": {"mention"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow noopener noreferrer"
_BLOCK_TAG = re.compile(r"</?(?:p|br|hr|li|td|th|tr|h[1-6]|pre|blockquote)\b")


def _mention_rule(state: StateInline, silent: bool) -> bool:
    """`@[Name]`: a mention token; anything else (an e-mail address, `@` alone) stays text."""
    pos = state.pos
    src = state.src
    if src[pos] != "@" or pos + 1 >= state.posMax or src[pos + 1] != "[":
        return False
    end = src.find("]", pos + 2, min(state.posMax, pos + 2 + MAX_MENTION + 1))
    if end == -1:
        return False
    name = " ".join(src[pos + 2:end].split())
    if not name or "[" in name or "\n" in src[pos + 2:end]:
        return False
    if not silent:
        token = state.push("mention", "", 0)
        token.meta = {"name": name}
        token.content = src[pos:end + 1]
        state.env.setdefault("mention_names", []).append(name)
    state.pos = end + 1
    return True


def _render_mention(renderer: Any, tokens: list, idx: int, options: Any, env: dict) -> str:
    token = tokens[idx]
    resolved: dict[str, str] = env.get("resolved_mentions") or {}
    display = resolved.get(token.meta["name"].casefold())
    if display is None:
        return html.escape(token.content)
    return f'<span class="mention">@{html.escape(display)}</span>'


def _shift_headings(state: Any) -> None:
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 2, 6)}"


def _build() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False, "breaks": True})
    md.enable(["table", "strikethrough"])
    md.disable("image")
    md.inline.ruler.before("link", "mention", _mention_rule)
    md.add_render_rule("mention", _render_mention)
    md.core.ruler.push("shift_headings", _shift_headings)
    return md


_md = _build()


@dataclass(frozen=True)
class Rendered:
    html: str
    text: str  # plain text, for search and snippets


def mentioned_names(source: str) -> list[str]:
    """The names written as `@[Name]`, in order, without repeats (code spans and blocks excluded)."""
    env: dict[str, Any] = {}
    _md.parse(source, env)
    seen: dict[str, str] = {}
    for name in env.get("mention_names", []):
        seen.setdefault(name.casefold(), name)
    return list(seen.values())


_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, allowed_classes=ALLOWED_CLASSES,
    url_schemes=URL_SCHEMES, link_rel=LINK_REL, clean_content_tags={"script", "style"}, strip_comments=True,
)


def sanitise(fragment: str) -> str:
    return _cleaner.clean(fragment)


def plain_text(fragment: str) -> str:
    """The words of an HTML fragment, without markup, for the search index."""
    spaced = _BLOCK_TAG.sub(r" \g<0>", fragment)  # words of adjacent blocks stay apart
    text = html.unescape(nh3.clean(spaced, tags=set()))
    # The search engines' highlight markers are control characters: keep them out of the text.
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


def render(source: str, resolved_mentions: dict[str, str] | None = None) -> Rendered:
    """Markdown to sanitised HTML; `resolved_mentions` maps casefolded names to display names."""
    env = {"resolved_mentions": resolved_mentions or {}}
    fragment = sanitise(_md.render(source, env))
    return Rendered(html=fragment, text=plain_text(fragment))


def quote(source: str, author_name: str) -> str:
    """A reply's opening: the quoted post as a markdown block quote, attributed."""
    lines = source.strip().splitlines() or [""]
    quoted = "\n".join(f"> {line}" if line.strip() else ">" for line in lines)
    return f"> **{author_name}:**\n>\n{quoted}\n\n"
