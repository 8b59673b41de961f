"""Changes made for the benchmarks (docs/benchmarks.md) keep their behaviour: memoised word diffs
hand each caller its own list; grouping compares within a paragraph only, with the same groups."""

from __future__ import annotations

from types import SimpleNamespace

from forum.drafting import diff, marshalling
from forum.drafting.models import AmendmentKind

BASE = "Recruitment fees and related costs should not be charged to workers."


def test_memoised_edits_give_each_caller_its_own_list():
    first = diff.edits(BASE, BASE.replace("should", "shall"))
    assert first and first == diff.edits(BASE, BASE.replace("should", "shall"))
    first.clear()  # a caller changing its list changes no one else's
    assert diff.edits(BASE, BASE.replace("should", "shall"))


def _amendment(ident: int, paragraph: int, text: str) -> SimpleNamespace:
    return SimpleNamespace(id=ident, paragraph_id=paragraph, parent_id=None, kind=AmendmentKind.modify,
                           language="en", base_text=BASE, text=text)


def test_groups_join_amendments_on_the_same_words_of_one_paragraph_only():
    amendments = [
        _amendment(1, 10, BASE.replace("should", "shall")),
        _amendment(2, 20, BASE.replace("should", "must")),  # same words, another paragraph
        _amendment(3, 10, BASE.replace("should", "must")),
        _amendment(4, 10, BASE.replace("workers", "migrant workers")),  # other words
        _amendment(5, 20, BASE.replace("should", "may")),
    ]
    assert marshalling.groups_of(amendments) == {1: 1, 3: 1, 2: 2, 5: 2}
