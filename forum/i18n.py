"""The interface languages: English (the source), French and Spanish catalogues, compiled on demand.

The .po files are in git, the compiled .mo files are not: `make translations` compiles them, and the
app compiles a catalogue itself when its .mo is missing or older than its .po (so `flask ...` and the
tests never run on stale translations). Fuzzy entries are never compiled: they would ship guesses.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LANGUAGES = ("en", "fr", "es")
LANGUAGE_NAMES = {"en": "English", "fr": "Français", "es": "Español"}
TRANSLATIONS = Path(__file__).resolve().parent / "translations"


def catalogue_paths(root: Path = TRANSLATIONS) -> list[tuple[Path, Path]]:
    """(.po, .mo) of every language that has a catalogue."""
    return [(po, po.with_suffix(".mo")) for po in sorted(root.glob("*/LC_MESSAGES/messages.po"))]


def compile_catalogues(root: Path = TRANSLATIONS, *, force: bool = False) -> list[Path]:
    """Compile each stale catalogue (as `pybabel compile` without -f); return the .mo files written.

    The file is written beside and then renamed, so parallel test workers never read half a file.
    """
    written = []
    for po, mo in catalogue_paths(root):
        if not force and mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=po.parent.parent.name)
        fd, tmp = tempfile.mkstemp(dir=mo.parent, prefix=".messages-", suffix=".mo")
        try:
            with os.fdopen(fd, "wb") as out:
                write_mo(out, catalog, use_fuzzy=False)
            os.replace(tmp, mo)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        written.append(mo)
    return written



# --- extraction of the services' messages --------------------------------------------------------
# Services raise DomainErrors with English messages and field errors (rule of the house: the
# service speaks, the page translates). They are constants, not wrapped in _(), so this extractor
# (babel.cfg) finds them: the message of a DomainError, the messages of its fields, and the
# messages a service collects in its `errors` dict before raising. Views and the error handlers
# pass them through gettext (forum.errors.DomainError.localized).

DOMAIN_ERRORS = {"DomainError", "NotAllowed", "NotFound", "InvalidState", "ValidationFailed", "Throttled",
                 "Unauthenticated", "Malformed", "TooLarge", "_raise", "_fail", "fail"}
ERROR_COLLECTIONS = {"errors", "fields", "field_errors"}


def _dict_keys(node: object) -> set[int]:
    import ast

    return {id(k) for child in ast.walk(node) if isinstance(child, ast.Dict)  # type: ignore[arg-type]
            for k in child.keys if k is not None}


def _messages(tree: object) -> list[tuple[int, str]]:
    import ast

    found: list[tuple[int, str]] = []

    def collect(node: ast.AST) -> None:
        keys = _dict_keys(node)  # and f-strings: their pieces are not messages
        keys |= {id(c) for f in ast.walk(node) if isinstance(f, ast.JoinedStr) for c in ast.walk(f)}
        for child in ast.walk(node):
            if isinstance(child, ast.Constant) and isinstance(child.value, str) and id(child) not in keys \
                    and " " in child.value and child.value == child.value.strip() \
                    and (child.value[0].isupper() or child.value.startswith("%(")):  # a sentence, not a piece
                found.append((child.lineno, child.value))

    def named(node: ast.AST) -> str | None:
        while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
            node = node.func if isinstance(node, ast.Call) else node.value
        return node.id if isinstance(node, ast.Name) else None

    for node in ast.walk(tree):  # type: ignore[arg-type]
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
            if name in DOMAIN_ERRORS:
                for arg in [*node.args, *(k.value for k in node.keywords if k.arg in {"fields", "message"})]:
                    collect(arg)
            elif name in {"append", "extend"} and named(func) in ERROR_COLLECTIONS:
                for arg in node.args:
                    collect(arg)
        elif isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Subscript) and named(t) in ERROR_COLLECTIONS for t in node.targets):
            collect(node.value)
    return found


def extract_python(fileobj, keywords, comment_tags, options):  # type: ignore[no-untyped-def]
    """Babel's Python extractor, plus the services' error messages (see above)."""
    import ast

    from babel.messages.extract import extract_python as babel_python

    yield from babel_python(fileobj, keywords, comment_tags, options)
    fileobj.seek(0)
    source = fileobj.read().decode(options.get("encoding", "utf-8"))
    seen = set()
    for lineno, message in _messages(ast.parse(source)):
        if message not in seen:
            seen.add(message)
            yield lineno, None, message, []
