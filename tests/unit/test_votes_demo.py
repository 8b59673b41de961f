"""The demo carries an attendance register and a closed weighted record vote, not yet declared."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from forum.db import unit_of_work
from forum.drafting.models import ParagraphState
from forum.extensions import db
from forum.meetings import demo
from forum.positions import votes
from forum.positions.items import item_of_row
from forum.positions.vote_models import Decision, Vote


@pytest.fixture(autouse=True)
def quick_hashing(monkeypatch):
    monkeypatch.setattr("forum.accounts.models.generate_password_hash",
                        lambda password: generate_password_hash(password, method="pbkdf2:sha256:1000"))


def test_demo_vote_is_weighted_closed_recounts_and_awaits_the_chair(app):
    with unit_of_work():
        demo.load_demo()
    vote = db.session.scalars(sa.select(Vote)).one()
    assert vote.type.value == "record" and not vote.is_open
    counts = vote.composition["counts"]
    g, e, w = counts["government"], counts["employer"], counts["worker"]
    weights = vote.weights
    assert g * weights["government"] == e * weights["employer"] == w * weights["worker"]  # rule 31
    assert vote.results["quorum"]["reached"] and vote.results["outcome"] == "adopted"
    assert votes.recount(vote)[0]
    assert item_of_row(vote).paragraph.state is not ParagraphState.adopted  # the Chair has not declared
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Decision)) == 0
    with unit_of_work():
        demo.load_demo()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Vote)) == 1
