"""Every word a reader sees in a template is marked for translation (issue 14).

Templates are read with Jinja's own lexer: the text between tags and expressions (`data`
tokens) must carry no letters outside `{% trans %}` blocks, and the attributes a reader hears or
sees (`title`, `aria-label`, `placeholder`, `alt`, `aria-description`) must be marked too.
Numbers, punctuation, symbols, entities (`&nbsp;`), literal input (`<code>`) and names that are
the same in every language (UTC, PDF, OpenAPI) are not words to translate.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from jinja2 import Environment

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
STATIC_JS = ROOT / "static" / "js"
# What a reader hears or sees of an element.
SPOKEN_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt", "aria-description", "aria-roledescription"}
# Where an expression or tag stood (its output is not ours to judge): harmless in text and in markup.
PLACEHOLDER = "_"
# Names that stay as they are in every language.
NOT_WORDS = re.compile(r"\b(?:UTC|SHA-256|OpenAPI|JSON|CSV|DOCX|PDF|HTML|XML|Akoma Ntoso|API)\b")
LITERAL = {"code", "kbd", "samp", "script", "style"}  # what the reader types or the machine reads
LETTER = re.compile(r"[^\W\d_]", re.UNICODE)


def _env() -> Environment:
    return Environment(extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)


def _has_words(text: str) -> bool:
    text = NOT_WORDS.sub(" ", html.unescape(re.sub(r"&[#\w]+;", " ", text)))
    return bool(LETTER.search(text))


def _flattened(source: str) -> str:
    """The template with every expression, tag and comment replaced by a placeholder, and the text
    inside {% trans %} blocks, <script> and <style> removed; only the literal markup remains."""
    out: list[str] = []
    depth = 0  # inside {% trans %} ... {% endtrans %}
    tag: list[str] = []
    for _lineno, kind, value in _env().lex(source):
        if kind == "block_begin":
            tag = []
        elif kind == "name" and tag == [] and value in {"trans", "pluralize"}:
            tag.append(value)
            if value == "trans":
                depth += 1
        elif kind == "name" and tag == [] and value == "endtrans":
            tag.append(value)
            depth -= 1
        elif kind == "name":
            tag.append(value)
        if kind == "data":
            out.append(PLACEHOLDER if depth else value)
        elif kind in {"variable_begin", "block_begin", "comment_begin"}:
            after_bracket = bool(out) and out[-1].endswith(("<", "</"))
            out.append("h" if after_bracket else PLACEHOLDER)  # <{{ heading }}> is still a tag
    return "".join(out)


class _Finder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.found: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in LITERAL:
            self._skip += 1
        for name, value in attrs:
            if value and name in SPOKEN_ATTRIBUTES and _has_words(value):
                self.found.append(f'<{tag} {name}="{value.strip()}">')

    def handle_endtag(self, tag: str) -> None:
        if tag in LITERAL and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and _has_words(data):
            self.found.append(" ".join(data.split()))


def unmarked_text(source: str) -> list[str]:
    finder = _Finder()
    finder.feed(_flattened(source))
    finder.close()
    return finder.found


SENTENCE = re.compile(r"^['\"][A-Z][a-z]+(?: [a-z]+)+")
MARKERS = {"_", "gettext", "ngettext", "pgettext", "_l", "lazy_gettext"}


def unmarked_literals(source: str) -> list[str]:
    """Sentences written as string literals in expressions ({{ macro("Save it") }}), not in _()."""
    tokens = [(kind, value) for _lineno, kind, value in _env().lex(source) if kind != "whitespace"]
    found = []
    for i, (kind, value) in enumerate(tokens):
        if kind != "string" or not SENTENCE.match(value):
            continue
        before = [v for _k, v in tokens[max(0, i - 4):i]]
        marked = (len(before) >= 2 and before[-1] == "(" and before[-2] in MARKERS) or (
            len(before) == 4 and before[0] in MARKERS and before[1] == "(" and before[3] == ",")  # the plural
        if not marked:
            found.append(value)
    return found


def _templates() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


def test_the_checker_finds_unmarked_text_and_accepts_marked_text():
    assert unmarked_text("<p>Hello</p>") == ["Hello"]
    assert unmarked_text('<a title="Open it" href="/x">{{ _("Open") }}</a>') == ['<a title="Open it">']
    assert unmarked_text('<img alt="{{ _(\'Logo\') }}" src="x.svg"> {{ n }} · 12 &nbsp; — (3)') == []
    assert unmarked_text("{% trans n=3 %}There are {{ n }} items{% endtrans %}") == []
    assert unmarked_text('<input placeholder="e.g. GB.316">') == ['<input placeholder="e.g. GB.316">']
    assert unmarked_text('<span class="badge" data-x="some words">{{ x }}</span>') == []
    assert unmarked_text("{# a comment about things #}<script>const a = 'b';</script>") == []
    assert unmarked_text('<tr {% if x %}class="a"{% endif %}><td>{{ x }} UTC</td>'
                         '<td><code>member_state</code></td>') == []
    assert unmarked_text("<h{{ level }}>Title</h{{ level }}>") == ["Title"]
    assert unmarked_literals("{{ cmd('open', 'Open the sitting', _('Close it now')) }}") == ["'Open the sitting'"]
    assert unmarked_literals("{{ ngettext('One post found', '%(num)d posts found', n) }}") == []


@pytest.mark.parametrize("template", _templates(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_template_text_is_marked_for_translation(template: Path):
    source = template.read_text(encoding="utf-8")
    found = unmarked_text(source) + unmarked_literals(source)
    assert not found, f"{template.relative_to(ROOT)} shows text not marked for translation: {found}"


# A JavaScript module shows words from the page's translated labels (a JSON block), never its own.
JS_SENTENCE = re.compile(r"""(["'`])([A-Z][a-z]+(?: [a-z]+){1,}[.!?]?)\1""")


@pytest.mark.parametrize("module", sorted(STATIC_JS.glob("*.js")), ids=lambda p: p.name)
def test_javascript_modules_carry_no_english_sentences(module: Path):
    code = "\n".join(line for line in module.read_text(encoding="utf-8").splitlines()
                     if not line.lstrip().startswith(("//", "*", "/*")))
    assert not JS_SENTENCE.findall(code), f"{module.name}: words for readers belong in the page's labels"
