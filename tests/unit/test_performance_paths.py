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


def test_a_group_stays_together_where_its_first_member_stands_in_one_pass():
    """`_cluster` (one pass since B10): members follow their group's first member, others keep their places."""
    ordered = [_amendment(ident, 10, BASE) for ident in (1, 2, 3, 4, 5, 6)]
    groups = {2: 2, 5: 2, 3: 3, 6: 3}  # 2 and 5 on the same words; 3 and 6 on others
    assert [a.id for a in marshalling._cluster(ordered, groups)] == [1, 2, 5, 3, 6, 4]


def test_the_cheaper_diff_rendering_still_escapes_and_keeps_spaces_outside_the_marks():
    runs = [{"op": "equal", "text": "a <b> "}, {"op": "delete", "text": " x & y "}, {"op": "insert", "text": "\"z\""}]
    assert str(diff.render(runs)) == 'a &lt;b&gt;  <del>x &amp; y</del> <ins>&#34;z&#34;</ins>'
