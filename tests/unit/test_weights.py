"""Rule 31: equal voting strength and the other weighting modes; rule 32: majorities."""

from __future__ import annotations

import pytest

from forum.positions.weights import equal_strength, fixed_ratio, majority_reached


@pytest.mark.parametrize(("members", "expected"), [
    ((75, 39, 60), (52, 100, 65)),
    ((97, 51, 70), (3570, 6790, 4947)),
    ((109, 50, 67), (3350, 7303, 5450)),
    ((36, 18, 18), (1, 2, 2)),
])
def test_rule_31_equal_voting_strength_checks(members, expected):
    assert equal_strength(*members) == expected


def test_rule_31_the_three_groups_weigh_the_same():
    for g, e, w in ((75, 39, 60), (97, 51, 70), (109, 50, 67), (36, 18, 18), (7, 3, 2)):
        wg, we, ww = equal_strength(g, e, w)
        assert g * wg == e * we == w * ww


def test_rule_31_check_75_39_60():
    assert equal_strength(75, 39, 60) == (52, 100, 65)


def test_rule_31_check_97_51_70():
    assert equal_strength(97, 51, 70) == (3570, 6790, 4947)


def test_rule_31_check_109_50_67():
    assert equal_strength(109, 50, 67) == (3350, 7303, 5450)


def test_rule_31_check_36_18_18():
    assert equal_strength(36, 18, 18) == (1, 2, 2)


def test_rule_31_a_group_without_members_drops_out():
    assert equal_strength(6, 2, 0) == (1, 3, 0)
    assert equal_strength(0, 0, 5) == (0, 0, 1)
    assert equal_strength(0, 0, 0) == (0, 0, 0)


def test_rule_31_fixed_ratio_weighs_groups_in_the_ratio():
    g, e, w = 30, 14, 12
    wg, we, ww = fixed_ratio((g, e, w), (2, 1, 1))
    assert g * wg == 2 * e * we == 2 * w * ww


def test_rule_32_simple_majority_abstentions_do_not_count():
    assert majority_reached("simple", 5, 4)
    assert not majority_reached("simple", 4, 4)
    assert not majority_reached("simple", 0, 0)


def test_rule_32_two_thirds_majority_of_votes_cast():
    assert majority_reached("two_thirds", 20, 10)
    assert not majority_reached("two_thirds", 19, 10)
    assert not majority_reached("two_thirds", 0, 0)
