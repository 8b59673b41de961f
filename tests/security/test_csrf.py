"""Cross-site request forgery: every state-changing form refuses a POST without its token.

The forms are found in `app.url_map` (so a new endpoint is covered the day it lands), with real
ids from the access matrix's World where it has a row, and each is sent as a user who may use it.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.security.conftest import csrf_token, fingerprint
from tests.test_permissions import MATRIX, OK, World


def _state_changing_rules(app: Any) -> list[Any]:
    return sorted((r for r in app.url_map.iter_rules()
                   if r.methods & {"POST", "PUT", "PATCH", "DELETE"}
                   and not r.rule.startswith("/api/") and r.endpoint != "static"),
                  key=lambda r: r.endpoint)


def _target(rule: Any, world: World) -> tuple[str, str, dict]:
    """(url, role allowed to use it, form data) for a rule: a matrix row when one exists."""
    rows = MATRIX.get(rule.endpoint, [])
    for row in sorted(rows, key=lambda r: r.method != "POST"):
        allowed = [role for role, expect in row.expect.items() if expect == OK and role != "anonymous"]
        url = row.url(world)
        if allowed:
            data = row.data(world) if row.method == "POST" else {}
            return url, allowed[0], data if isinstance(data, dict) else {}
        return url, "admin", {}
    from werkzeug.routing import AnyConverter, IntegerConverter

    values = {name: sorted(conv.items)[0] if isinstance(conv, AnyConverter) else
              1 if isinstance(conv, IntegerConverter) else "x"
              for name, conv in rule._converters.items()}
    url = rule.build(values)[1]
    return url, "admin", {}


def test_every_state_changing_form_refuses_a_post_without_its_csrf_token(strict_app, strict_login, make_user,
                                                                        make_meeting, make_participant):
    world = World(make_user, make_meeting, make_participant)
    rules = _state_changing_rules(strict_app)
    assert len(rules) > 30  # the enumeration found the forms
    clients: dict[str, Any] = {}
    for role in world.users:
        clients[role] = strict_login(world.users[role])
    targets = [(rule, *_target(rule, world)) for rule in rules]  # rows create what they need first
    before = fingerprint()
    accepted = []
    for rule, url, role, data in targets:
        for method in sorted(rule.methods & {"POST", "PUT", "PATCH", "DELETE"}):
            response = clients[role].open(url, method=method, data=data)
            body = response.get_data(as_text=True)
            if response.status_code != 400 or "The form has expired or was sent from elsewhere" not in body:
                accepted.append((rule.endpoint, method, url, role, response.status_code))
    assert accepted == [], f"forms that did not refuse a token-less request: {accepted}"
    assert fingerprint() == before  # and nothing at all changed


def test_a_forged_post_carrying_another_sessions_token_is_refused(strict_app, strict_login, make_user):
    """A token is bound to its session: the attacker's own valid token does not work for the victim."""
    victim, attacker = make_user(), make_user()
    victim_client = strict_login(victim)
    attacker_client = strict_login(attacker)
    stolen = csrf_token(attacker_client.get("/account").get_data(as_text=True))
    before = fingerprint()
    response = victim_client.post("/account/tokens", data={"token-name": "exfiltrate", "csrf_token": stolen})
    assert response.status_code == 400
    assert fingerprint() == before


def test_the_same_form_with_its_token_goes_through(strict_app, strict_login, make_user):
    """The control: what the tests above refuse is the missing token, not the request."""
    client = strict_login(make_user())
    token = csrf_token(client.get("/account").get_data(as_text=True))
    before = fingerprint()
    response = client.post("/account/tokens", data={"token-name": "display", "csrf_token": token})
    assert response.status_code == 200 and "tf_" in response.get_data(as_text=True)
    assert fingerprint() != before


@pytest.mark.parametrize("method", ["POST"])
def test_the_api_is_exempt_only_because_it_ignores_session_cookies(strict_app, strict_login, make_user, method):
    """The JSON API takes no CSRF token: a cookie alone (all a forged request carries) gets 401."""
    client = strict_login(make_user(staff=True))
    before = fingerprint()
    response = client.open("/api/v1/meetings", method=method, json={"title": "Forged"})
    assert response.status_code == 401
    assert fingerprint() == before
