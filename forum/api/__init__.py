"""JSON API v1 under /api/v1: flask-smorest blueprints over the same services and permission rules
as the pages, its OpenAPI document at /api/v1/openapi.json and a reference page at /api/v1/docs.

Adding operations: write them in a module of this package on an `ApiBlueprint` (see core.py) and
add the blueprint to `BLUEPRINTS` below; give each operation its `operationId` with
`blp.operation(...)`, and a row in tests/test_permissions.py and docs/api.md.
"""

from __future__ import annotations

from typing import Any

import flask_smorest
from flask import Flask

from forum.api import core
from forum.api.schemas import ErrorSchema
from forum.extensions import csrf

DESCRIPTION = """The JSON API of the Tripartite Forum, for integrations and scripted secretariat work.
It obeys exactly the same permissions and services as the browser.

* **Authentication**: a personal API token, `Authorization: Bearer <token>` (create one on your
  account page, with `POST /api/v1/me/tokens`, or with `flask --app wsgi forum create-token EMAIL`).
  Cookies are not accepted.
* **Errors**: `{"error": {"code", "message", "fields"?, "errors"?}}`; 404 means unknown *or not
  visible to you*, so ids reveal nothing; 403 means visible but not allowed.
* **Lists**: `{"items", "next", "total"}` with `?page=` and `?per_page=` (1 to 100).
* **Idempotency**: operations that say so honour an `Idempotency-Key` header.

See docs/api.md in the repository for the table of codes per operation and a worked example.
"""


class Api(flask_smorest.Api):
    """flask-smorest's Api, minus its app-wide error handler (the pages keep their HTML errors;
    API blueprints have their own, see core.ApiBlueprint), with tags named by the blueprints."""

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self) -> None:
        pass

    def register_blueprint(self, blp: Any, *, parameters: Any = None, **options: Any) -> None:
        self._app.extensions["flask-smorest"]["blp_name_to_api"][blp.name] = self
        self._app.register_blueprint(blp, **options)
        blp.register_views_in_doc(self, self._app, self.spec, name=blp.name, parameters=parameters)
        self.spec.tag({"name": blp.tag, "description": blp.description})


def blueprints() -> list[core.ApiBlueprint]:
    from forum.api import (
        audit,
        discussions,
        documents,
        drafting,
        exports,
        meetings,
        positions,
        proceedings,
        sittings,
        tokens,
        votes,
    )

    return [meetings.blp, sittings.blp, discussions.blp, documents.blp, drafting.blp, positions.blp, votes.blp,
            exports.blp, proceedings.blp, audit.blp, tokens.blp]


def init_app(app: Flask) -> Api:
    app.config.setdefault("API_TITLE", "Tripartite Forum API")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", core.PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("API_SPEC_OPTIONS", {
        "info": {"description": DESCRIPTION},
        "security": [{"bearerAuth": []}],
        "components": {"securitySchemes": {"bearerAuth": {
            "type": "http", "scheme": "bearer",
            "description": "A personal API token (tf_…), from the account page or POST /me/tokens."}}},
    })
    app.url_map.converters["id"] = core.IdConverter
    api = Api(app)
    for blp in blueprints():
        api.register_blueprint(blp, url_prefix=core.PREFIX)
        csrf.exempt(blp)  # bearer tokens only: no cookie, so no cross-site request to forge
    # flask-smorest's own pagination (an X-Pagination header) is not used: lists carry their page.
    api.spec.components.schemas.pop("PaginationMetadata", None)
    from forum.api import reference

    app.register_blueprint(reference.bp)
    app.extensions["forum_api"] = api
    return api
