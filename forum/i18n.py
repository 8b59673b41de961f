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

