"""The French and Spanish catalogues hold every marked string, translated and not fuzzy (issue 14).

The strings are extracted from the source as `make messages` does (babel.cfg, the `_l` and
`lazy_gettext` keywords), in memory: a string marked in a template or in Python but missing from a
catalogue fails here, as does an entry left untranslated, marked fuzzy (a guess by `pybabel update`
that would ship wrong text), or still active though the source no longer has it. The fix is
`make messages`, then translating what it added (README, "Languages").
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from forum.i18n import TRANSLATIONS, compile_catalogues

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("fr", "es")


@cache
def source_strings() -> frozenset[str]:
    """The msgids `pybabel extract -F babel.cfg -k _l -k lazy_gettext` would write to messages.pot."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=keywords):
        found.add(message[0] if isinstance(message, tuple) else message)
    return frozenset(m for m in found if m)


def catalogue(language: str) -> Catalog:
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=language)


def problems(cat: Catalog, wanted: frozenset[str]) -> dict[str, list[str]]:
    entries = {m.id if isinstance(m.id, str) else m.id[0]: m for m in cat if m.id}
    found: dict[str, list[str]] = {
        "missing": sorted(wanted - entries.keys()),
        "untranslated": sorted(k for k, m in entries.items() if k in wanted and not _translated(m)),
        "fuzzy": sorted(k for k, m in entries.items() if m.fuzzy),
        "no longer in the source": sorted(entries.keys() - wanted),
    }
    return {k: v for k, v in found.items() if v}


def _translated(message) -> bool:
    strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
    return all(s and s.strip() for s in strings)


def _summary(found: dict[str, list[str]]) -> str:
    return "; ".join(f"{len(v)} {k} (e.g. {v[:3]})" for k, v in found.items())


def test_the_check_names_missing_untranslated_fuzzy_and_stale_entries():
    cat = Catalog(locale="fr")
    cat.add("Save", "Enregistrer")
    cat.add("Cancel", "")
    cat.add("Delete", "Supprimer", flags=["fuzzy"])
    cat.add("Gone", "Parti")
    assert problems(cat, frozenset({"Save", "Cancel", "Delete", "New"})) == {
        "missing": ["New"], "untranslated": ["Cancel"], "fuzzy": ["Delete"], "no longer in the source": ["Gone"]}
    assert problems(cat, frozenset({"Save"})) != {}
    good = Catalog(locale="fr")
    good.add("Save", "Enregistrer")
    assert problems(good, frozenset({"Save"})) == {}


def test_the_extraction_finds_template_and_python_strings():
    wanted = source_strings()
    assert "Skip to content" in wanted  # templates/base.html
    assert "Original language" in wanted  # forum/drafting/forms.py, through _l


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_is_complete_and_has_no_fuzzy_entry(language: str):
    found = problems(catalogue(language), source_strings())
    assert not found, f"forum/translations/{language}: {_summary(found)}; run `make messages` and translate"


def test_compiled_catalogues_are_fresh_and_used(tmp_path):
    """The compiled .mo never lags behind its .po (the app and the tests compile a stale one)."""
    for language in LANGUAGES:
        po = TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"
        assert po.with_suffix(".mo").stat().st_mtime >= po.stat().st_mtime
    # A fuzzy entry is not compiled into the shipped catalogue.
    root = tmp_path / "translations"
    (root / "fr" / "LC_MESSAGES").mkdir(parents=True)
    cat = Catalog(locale="fr")
    cat.add("Save", "Enregistrer")
    cat.add("Delete", "Supprimer", flags=["fuzzy"])
    from babel.messages.mofile import read_mo
    from babel.messages.pofile import write_po

    with (root / "fr" / "LC_MESSAGES" / "messages.po").open("wb") as out:
        write_po(out, cat)
    assert compile_catalogues(root) == [root / "fr" / "LC_MESSAGES" / "messages.mo"]
    with (root / "fr" / "LC_MESSAGES" / "messages.mo").open("rb") as handle:
        compiled = read_mo(handle)
    assert compiled.get("Save").string == "Enregistrer"
    assert compiled.get("Delete") is None
    assert compile_catalogues(root) == []  # fresh: nothing to do
