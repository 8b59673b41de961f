"""The word-level difference (rules 20, 24, 25, 26): runs that rebuild both texts, changes carried
over onto an adopted text or refused when they touch the same words, and attribution."""

from __future__ import annotations

import pytest

from forum.drafting import diff

BASE = "Member States should protect migrant workers in all sectors of the economy."


@pytest.mark.parametrize("new", [
    "Member States shall protect migrant workers in all sectors of the economy.",
    "Member States should protect all migrant workers and their families in all sectors.",
    "States protect workers.",
    "",
    BASE,
    "Les États Membres devraient protéger les travailleurs migrants.",
    "Member States should protect migrant workers, in all sectors of the economy!",
])
def test_rule_20_runs_rebuild_the_base_and_the_proposed_text(new):
    runs = diff.word_diff(BASE, new)
    assert diff.old_text(runs) == BASE and diff.new_text(runs) == new
    assert all(r["op"] in ("equal", "insert", "delete") and r["text"] for r in runs)
    assert diff.has_changes(runs) == (new != BASE)


def test_rule_20_a_replaced_phrase_is_one_deletion_then_one_insertion():
    runs = diff.word_diff("pay the fees of workers", "pay the costs and charges of workers")
    assert runs == [{"op": "equal", "text": "pay the "}, {"op": "delete", "text": "fees"},
                    {"op": "insert", "text": "costs and charges"}, {"op": "equal", "text": " of workers"}]
    runs = diff.word_diff("a b c d", "a x y d")
    assert runs == [{"op": "equal", "text": "a "}, {"op": "delete", "text": "b c"}, {"op": "insert", "text": "x y"},
                    {"op": "equal", "text": " d"}]


def test_rule_26_render_strikes_deletions_underlines_insertions_and_escapes():
    html = str(diff.render(diff.word_diff("fair <b>rules</b>", "fair & decent rules")))
    assert "<del>" in html and "<ins>" in html and "<b>" not in html and "&amp;" in html


def test_normalise_spacing_is_not_a_change():
    assert diff.normalise("  Member   States\n should ") == "Member States should"


def test_rule_25_rebase_carries_a_change_on_other_words_over_the_adopted_text():
    adopted = BASE.replace("should", "shall")
    ours = BASE.replace("of the economy", "of the formal and informal economy")
    assert diff.rebase(BASE, adopted, ours) == (
        "Member States shall protect migrant workers in all sectors of the formal and informal economy.")


@pytest.mark.parametrize("ours", [
    BASE.replace("should protect", "must protect"),  # replaces a word the adopted change replaced
    BASE.replace("should", "should effectively"),  # inserts next to a replaced word
    BASE.replace("States should protect", "States protect"),  # deletes a replaced word
])
def test_rule_25_rebase_refuses_changes_to_the_words_the_adopted_change_replaced(ours):
    adopted = BASE.replace("should", "shall")
    assert diff.rebase(BASE, adopted, ours) is None
    assert diff.conflicts(BASE, adopted, ours)


def test_rule_25_two_insertions_at_the_same_place_are_a_question_for_the_chair():
    adopted = BASE.replace("migrant workers", "all migrant workers")
    ours = BASE.replace("migrant workers", "documented migrant workers")
    assert diff.rebase(BASE, adopted, ours) is None


def test_rule_24_affected_span_orders_by_first_word():
    assert diff.affected_span(BASE, BASE.replace("Member States", "States")) == (0, 1)
    assert diff.affected_span(BASE, BASE.replace("economy", "economies")) == (11, 12)
    assert diff.affected_span(BASE, BASE) is None
    assert diff.overlaps(BASE, BASE.replace("migrant", "all migrant"), BASE.replace("migrant", "foreign"))
    assert not diff.overlaps(BASE, BASE.replace("Member", "All member"), BASE.replace("economy", "economies"))


def test_rule_26_attributed_diff_names_the_amendment_of_each_change():
    v1 = "Workers should not pay recruitment fees."
    v2 = "Workers shall not pay recruitment fees."
    v3 = "Workers shall not pay recruitment fees or related costs."
    v4 = "Migrant workers shall not pay recruitment fees or costs."
    segments = diff.attributed_diff([(v1, None), (v2, 7), (v3, 8), (v4, 9)])
    assert "".join(s.text for s in segments if s.op != "delete") == v4
    assert "".join(s.text for s in segments if s.op != "insert") == v1
    changes = [(s.op, s.text.strip(), s.amendment_id) for s in segments if s.op != "equal"]
    assert ("delete", "should", 7) in changes and ("insert", "shall", 7) in changes
    assert ("insert", "Migrant", 9) in changes or ("insert", "Migrant workers", 9) in changes
    # "related" was inserted by 8 and removed by 9: it is not shown as an insertion any more
    assert not any(s.op == "insert" and "related" in s.text for s in segments)
