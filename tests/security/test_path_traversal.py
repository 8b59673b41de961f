"""Path traversal on every route that takes a path or a name, and on the stored files' addresses.

The routes are found in `app.url_map` (every converter that is not an integer), so a new route
with a name in it is attacked the day it lands.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest
from werkzeug.routing import IntegerConverter

from forum.accounts.services import create_token
from forum.db import unit_of_work
from forum.documents import storage
from forum.extensions import db
from tests.conftest import ROOT
from tests.test_permissions import MATRIX, OK, World

PAYLOADS = [
    "../../../../etc/passwd",
    "..%2f..%2f..%2f..%2fetc%2fpasswd",
    "%2e%2e/%2e%2e/%2e%2e/instance/secret_key",
    "..%252f..%252finstance%252fsecret_key",
    "....//....//....//etc/passwd",
    "..\\..\\..\\forum\\config.py",
    "/etc/passwd",
    "secret_key%00.pdf",
    "..;/..;/forum/config.py",
]


def secrets_on_disk() -> list[str]:
    """Bits of files an attacker would be after; none may appear in any answer."""
    marks = ["class ProductionConfig", "def create_app"]
    passwd = Path("/etc/passwd")
    if passwd.exists():
        marks.append(passwd.read_text().splitlines()[0])
    key = ROOT / "instance" / "secret_key"
    if key.exists():
        marks.append(key.read_text().strip())
    return marks


def _fill(pattern: str, values: dict) -> str:
    """The rule's URL with these values, unchecked: converters must not stop an attack being sent."""
    return re.sub(r"<(?:[a-z]+(?:\([^)]*\))?:)?([a-z_]+)>", lambda m: str(values[m.group(1)]), pattern)


def named_rules(app):
    return [r for r in app.url_map.iter_rules()
            if any(not isinstance(c, IntegerConverter) for c in r._converters.values())]


def test_path_traversal_on_every_route_with_a_name_or_path(app, make_user, make_meeting, make_participant, login):
    world = World(make_user, make_meeting, make_participant)
    clients = {role: login(user) for role, user in world.users.items()}
    with unit_of_work():
        tokens = {role: create_token(db.session.merge(user), "attack") for role, user in world.users.items()}
    marks = secrets_on_disk()
    rules = named_rules(app)
    assert {r.endpoint for r in rules} >= {"static", "accounts.reset_password", "meetings.show_bulletin"}
    adapter = app.url_map.bind("forum.test")
    leaks, crashes = [], []
    for rule in rules:
        role, values = "admin", {n: 1 for n, c in rule._converters.items() if isinstance(c, IntegerConverter)}
        for row in MATRIX.get(rule.endpoint, []):
            endpoint, matched = adapter.match(row.url(world).split("?")[0], method=row.method)
            if endpoint == rule.endpoint:
                values.update({k: v for k, v in matched.items() if isinstance(v, int)})
                role = next((r for r, e in row.expect.items() if e == OK and r != "anonymous"), role)
                break
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        for name, conv in rule._converters.items():
            if isinstance(conv, IntegerConverter):
                continue
            for payload in PAYLOADS:
                filled = {**{n: "x" for n in rule._converters}, **values, name: "PLACEHOLDER"}
                for n, c in rule._converters.items():
                    if n != name and not isinstance(c, IntegerConverter) and hasattr(c, "items"):
                        filled[n] = sorted(c.items)[0]
                template = _fill(rule.rule, filled)
                for raw in (payload, quote(payload, safe="")):
                    url = template.replace("PLACEHOLDER", raw)
                    for method in methods:
                        # Werkzeug merges "//" with a redirect: follow it, the target must be as safe.
                        headers = {"Authorization": f"Bearer {tokens[role]}"} if url.startswith("/api/") else {}
                        response = clients[role].open(url, method=method, headers=headers,
                                                      follow_redirects=method == "GET")
                        body = response.get_data(as_text=True)
                        if response.status_code >= 500:
                            crashes.append((rule.endpoint, method, url, response.status_code))
                        if any(mark in body for mark in marks):
                            leaks.append((rule.endpoint, method, url))
                        assert response.status_code in (200, 302, 400, 403, 404, 405, 422), (url, response.status_code)
    assert leaks == []
    assert crashes == []


@pytest.mark.parametrize("path", ["/static/../forum/config.py", "/static/..%2fforum%2fconfig.py",
                                  "/static/%2e%2e/%2e%2e/etc/passwd", "/static/../instance/secret_key",
                                  "/static//etc/passwd", "/static/css/../../forum/__init__.py"])
def test_path_traversal_out_of_the_static_folder(client, path):
    response = client.get(path, follow_redirects=True)
    assert response.status_code == 404
    assert not any(mark in response.get_data(as_text=True) for mark in secrets_on_disk())


@pytest.mark.parametrize("address", ["../../../etc/passwd", "../" + "a" * 61, "A" * 64, "", "ab/../../cd" + "0" * 53])
def test_path_traversal_through_a_stored_files_address_is_refused(app, address):
    """Stored files are reached by their SHA-256 alone; anything else is refused before a path is built."""
    with pytest.raises(ValueError):
        storage.blob_path(address)
