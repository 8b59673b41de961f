"""SQL metacharacters in search, sort and filter parameters: never an error, never a wider answer.

Every page a signed-in user can GET is sent every parameter name the views read, each set to
the payloads; the search of discussions is then attacked for what matters most here: a way
around the caucus rule.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from werkzeug.routing import IntegerConverter

from forum.accounts.models import User
from forum.db import unit_of_work
from forum.discussions import services as discussions
from forum.extensions import db
from tests.security.conftest import caucus
from tests.test_permissions import MATRIX, OK, World

PAYLOADS = [
    "' OR '1'='1",
    "'; DROP TABLE users; --",
    "%' UNION SELECT password_hash, email FROM users --",
    '" OR ""="',
    "1) OR (1=1",
    "\\",
    "%_%",
    '"unterminated',
    "NEAR(a b) OR * AND -",
    "title:* OR body:*",
    "1; SELECT pg_sleep(0)",
    "-1",
    "\x00",
]
# The broad sweep sends one of each family (quotes, comment, union, wildcards, full-text syntax, NUL).
BROAD = ["' OR '1'='1 --", "'; DROP TABLE users; --", "%_%' UNION SELECT password_hash, email FROM users --",
         '"unterminated NEAR(a b) OR * AND -\\\x00']
# Every query-string name the views read (search, sort, filters, pagination).
PARAMS = ["q", "sort", "group", "state", "mover", "kind", "item", "lang", "language", "space", "paragraph",
          "agenda_item", "actor", "action", "object_type", "object_id", "date_from", "date_to", "removed", "page",
          "status", "type", "order", "filter"]


def test_sql_metacharacters_in_every_parameter_of_every_page(app, make_user, make_meeting, make_participant,
                                                             login):
    world = World(make_user, make_meeting, make_participant)
    clients = {role: login(user) for role, user in world.users.items()}
    targets = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith(("/api/", "/static")) or not all(
                isinstance(c, IntegerConverter) for c in rule._converters.values()):
            continue
        row = next((r for r in MATRIX.get(rule.endpoint, []) if r.method == "GET"), None)
        role = row and next((r for r, e in row.expect.items() if e == OK and r != "anonymous"), None)
        if role:
            targets.append((rule.endpoint, role, row.url(world).split("?")[0]))  # rows create what they show
    assert len(targets) > 30
    db.session.rollback()
    users_before = db.session.scalar(sa.select(sa.func.count()).select_from(User))
    hashes = [u.password_hash.encode() for u in db.session.scalars(sa.select(User)) if len(u.password_hash or "") > 20]
    failures = []
    for endpoint, role, url in targets:
        for payload in BROAD:
            response = clients[role].get(url, query_string={name: payload for name in PARAMS})
            if response.status_code >= 500 or any(h in response.get_data() for h in hashes):
                failures.append((endpoint, payload, response.status_code))
    assert failures == []
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == users_before


@pytest.mark.parametrize("payload", [*PAYLOADS, "* OR employer", "\") OR 1=1 --", "secret* OR NOT x"])
def test_sql_metacharacters_in_search_do_not_open_another_groups_caucus(make_meeting, make_participant, login,
                                                                        payload):
    meeting = make_meeting()
    employer = make_participant(meeting, "employer")
    worker = make_participant(meeting, "worker")
    with unit_of_work():
        discussions.start_thread(db.session.merge(employer.user), caucus(meeting, "employer"),
                                 title="Our fallback line", body="Employers' secret fallback: accept 3 percent.")
        discussions.start_thread(db.session.merge(worker.user), caucus(meeting, "worker"),
                                 title="O'Brien's note", body="Workers' line on fallback, 100% agreed.")
    response = login(worker.user).get(f"/meetings/{meeting.id}/search", query_string={"q": payload})
    assert response.status_code == 200
    assert "accept 3 percent" not in response.get_data(as_text=True)


def test_quotes_and_percent_are_searched_as_text(make_meeting, make_participant, login):
    meeting = make_meeting()
    worker = make_participant(meeting, "worker")
    with unit_of_work():
        discussions.start_thread(db.session.merge(worker.user), caucus(meeting, "worker"),
                                 title="O'Brien's note", body="A quote from O'Brien about 100% coverage.")
    client = login(worker.user)
    found = client.get(f"/meetings/{meeting.id}/search", query_string={"q": "O'Brien"})
    assert found.status_code == 200 and "O&#39;Brien" in found.get_data(as_text=True)
