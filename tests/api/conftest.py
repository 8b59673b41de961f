"""API test helpers: bearer-token clients whose every response is checked against the OpenAPI
document (its status must be documented for the operation, its body must match the schema)."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from openapi_schema_validator import OAS30Validator

from forum.db import unit_of_work
from forum.extensions import db


def resolve(node: Any, spec: dict[str, Any], depth: int = 0) -> Any:
    """`node` with every `$ref` to the document's components replaced by its target."""
    assert depth < 30, "a reference cycle in the OpenAPI document"
    if isinstance(node, dict):
        if "$ref" in node:
            _, section, kind, name = node["$ref"].split("/")
            return resolve(spec[section][kind][name], spec, depth + 1)
        return {k: resolve(v, spec, depth + 1) for k, v in node.items()}
    if isinstance(node, list):
        return [resolve(v, spec, depth + 1) for v in node]
    return node


class ApiClient:
    """Calls the API as one user (or anonymously) and checks each response against the spec."""

    def __init__(self, app: Any, spec: dict[str, Any], token: str | None) -> None:
        self.app, self.spec, self.token = app, spec, token

    def request(self, method: str, path: str, *, json_body: Any = None, data: Any = None,
                content_type: str | None = None, headers: dict[str, str] | None = None,
                query: dict[str, Any] | None = None, check: bool = True) -> Any:
        headers = dict(headers or {})
        if self.token:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        if json_body is not None:
            data, content_type = json.dumps(json_body), content_type or "application/json"
        response = self.app.test_client().open("/api/v1" + path, method=method, headers=headers, data=data,
                                                content_type=content_type, query_string=query)
        if check:
            check_response(self.app, self.spec, method, "/api/v1" + path, response)
        return response

    def get(self, path: str, **kw: Any) -> Any:
        return self.request("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.request("POST", path, json_body=body, **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        return self.request("DELETE", path, **kw)

    def put(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.request("PUT", path, json_body=body, **kw)

    def upload(self, path: str, fields: dict[str, Any], **kw: Any) -> Any:
        """A multipart POST; a bytes value of `fields` is sent as a file named after its key."""
        import io

        data = {k: (io.BytesIO(v), f"{k}.txt") if isinstance(v, bytes) else v for k, v in fields.items()}
        return self.request("POST", path, data=data, content_type="multipart/form-data", **kw)


def operation_for(app: Any, spec: dict[str, Any], method: str, path: str) -> dict[str, Any] | None:
    from werkzeug.exceptions import HTTPException

    with app.test_request_context():
        try:
            rule, _args = app.url_map.bind("forum.test").match(path.split("?")[0], method, return_rule=True)
        except HTTPException:
            return None
    template = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)  # as flask-smorest writes paths
    item = spec["paths"].get(template)
    return None if item is None else item.get(method.lower())


def check_response(app: Any, spec: dict[str, Any], method: str, path: str, response: Any) -> None:
    op = operation_for(app, spec, method, path)
    if op is None:  # not an operation (an unknown path or method): still the error object
        assert response.status_code in (404, 405), response.status_code
        assert set(response.get_json()["error"]) >= {"code", "message"}
        return
    status = str(response.status_code)
    assert status in op["responses"], f"{op['operationId']} answered {status}, not in {sorted(op['responses'])}"
    declared = resolve(op["responses"][status], spec)
    content = declared.get("content")
    if not content:
        assert not response.data, f"{op['operationId']} {status} should have no body"
        return
    assert response.mimetype in content, response.mimetype
    schema = content[response.mimetype]["schema"]
    if response.mimetype != "application/json":  # a file: its type is declared, its bytes are its own
        assert schema == {"type": "string", "format": "binary"}, schema
        return
    OAS30Validator(schema).validate(response.get_json())


@pytest.fixture(autouse=True)
def _fresh_api_rate_limits(app: Any) -> None:
    """User ids repeat from test to test: each test starts with no requests counted."""
    from forum.api.core import _THROTTLE_EXT

    app.extensions.pop(_THROTTLE_EXT, None)


@pytest.fixture
def spec(app: Any) -> dict[str, Any]:
    return copy.deepcopy(app.extensions["forum_api"].spec.to_dict())


@pytest.fixture
def token_for(app: Any) -> Callable[[Any], str]:
    from forum.accounts.services import create_token

    def make(user: Any, name: str = "tests") -> str:
        with unit_of_work():
            return create_token(db.session.merge(user), name)

    return make


@pytest.fixture
def api(app: Any, spec: dict[str, Any], token_for: Callable[[Any], str]) -> Callable[..., ApiClient]:
    """`api(user)` calls as that user with a fresh token; `api(None)` anonymously; `api(token="…")`."""

    def make(user: Any = None, token: str | None = None) -> ApiClient:
        if user is not None and token is None:
            token = token_for(user)
        return ApiClient(app, spec, token)

    return make
