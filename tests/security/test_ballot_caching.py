"""Ballots, and results before they are announced, are never cached by a browser or a proxy: every
page and API answer that carries a ballot form, a receipt, a ballot's answer or a live count says
`Cache-Control: no-store` (forum.security.no_store on the votes' views and API operations)."""

from __future__ import annotations

import re

import pytest

from forum.accounts.services import create_token
from forum.db import unit_of_work
from forum.extensions import db
from tests import sittings_world
from tests.drafting_world import para


@pytest.fixture
def w(make_user, make_meeting, make_participant):
    w = sittings_world.build(make_user, make_meeting, make_participant)
    sittings_world.run(w, "chair", "set_item", kind="paragraph", id=para(w, "1").id)
    return w


def bearer(user) -> dict[str, str]:
    with unit_of_work():
        return {"Authorization": f"Bearer {create_token(db.session.merge(user), 'cache')}"}


def no_store(response) -> bool:
    return "no-store" in response.headers.get("Cache-Control", "")


@pytest.mark.parametrize("vote_type", ["record", "show_of_hands", "secret"])
def test_caching_of_ballot_pages_and_unannounced_results_is_forbidden(w, app, login, vote_type):
    vote_id = sittings_world.run(w, "chair", "open_vote", vote_type=vote_type)["vote_id"]
    base = f"/meetings/{w.meeting.id}/votes/{vote_id}"
    kenya, germany, chair = login(w.u["kenya"]), login(w.u["germany"]), login(w.u["chair"])
    answers = {
        "ballot page": kenya.get(base),
        "ballot refused (422)": kenya.post(f"{base}/ballot", data={"choice": "maybe"}),
        "ballot accepted": kenya.post(f"{base}/ballot", data={"choice": "for", "confirm": "y"}),
        "ballot repeated (409)": kenya.post(f"{base}/ballot", data={"choice": "for", "confirm": "y"}),
        "count on the page": germany.get(base),
        "close confirmation with the count": chair.get(f"{base}/close"),
        "sitting page with the live count": germany.get(f"/meetings/{w.meeting.id}/sittings/{w.sitting_id}"),
        "projector": chair.get(f"/meetings/{w.meeting.id}/sittings/{w.sitting_id}/projector"),
        "console": chair.get(f"/meetings/{w.meeting.id}/sittings/{w.sitting_id}/console"),
    }
    api = app.test_client()
    answers["API getVote while open"] = api.get(f"/api/v1/votes/{vote_id}", headers=bearer(w.u["italy"]))
    answers["API castBallot"] = api.put(f"/api/v1/votes/{vote_id}/ballot", json={"choice": "against"},
                                        headers={**bearer(w.u["germany"]), "Idempotency-Key": "cache-1"})
    answers["API castBallot replayed"] = api.put(f"/api/v1/votes/{vote_id}/ballot", json={"choice": "against"},
                                                 headers={**bearer(w.u["germany"]), "Idempotency-Key": "cache-1"})
    answers["API castBallot refused"] = api.put(f"/api/v1/votes/{vote_id}/ballot", json={"choice": 7},
                                                headers=bearer(w.u["italy"]))
    if vote_type == "secret":
        receipt = re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", answers["ballot accepted"].get_data(as_text=True))
        answers["receipt check"] = kenya.post(f"{base}/receipt", data={"receipt": receipt.group(0)})
    answers["API closeVote"] = api.post(f"/api/v1/votes/{vote_id}/close", headers=bearer(w.u["chair"]))
    assert answers["API closeVote"].status_code == 200
    answers["result page"] = germany.get(base)
    answers["API getVote after close"] = api.get(f"/api/v1/votes/{vote_id}", headers=bearer(w.u["italy"]))
    cached = {name: (r.status_code, r.headers.get("Cache-Control")) for name, r in answers.items() if not no_store(r)}
    assert not cached, cached
    assert all(r.status_code < 500 for r in answers.values())
