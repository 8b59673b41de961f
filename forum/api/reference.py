"""The API's reference page: the OpenAPI document rendered on the server, so that it needs no
script (the CSP forbids inline ones) and nothing fetched from elsewhere."""

from __future__ import annotations

from typing import Any

import nh3
from flask import Blueprint, current_app, render_template
from markdown_it import MarkdownIt
from markupsafe import Markup

from forum.api.core import PREFIX

bp = Blueprint("api_reference", __name__)
METHODS = ("get", "post", "put", "patch", "delete")
_markdown = MarkdownIt("commonmark")


def markdown(text: str | None) -> Markup:
    return Markup(nh3.clean(_markdown.render(text or "")))


def ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def type_label(schema: dict[str, Any] | None) -> dict[str, Any]:
    """A schema as words and an optional link to a component: {"text", "ref"}."""
    schema = schema or {}
    if "$ref" in schema:
        return {"text": ref_name(schema["$ref"]), "ref": ref_name(schema["$ref"])}
    kind = schema.get("type", "any")
    if kind == "array":
        inner = type_label(schema.get("items"))
        return {"text": f"array of {inner['text']}", "ref": inner.get("ref")}
    text = kind + (f" ({schema['format']})" if schema.get("format") else "")
    if schema.get("enum"):
        text += ": " + ", ".join("null" if v is None else str(v) for v in schema["enum"])
    bounds = [f"{word} {schema[key]}" for key, word in (("minimum", "min"), ("maximum", "max"),
                                                        ("minLength", "min length"), ("maxLength", "max length"))
              if key in schema]
    if bounds:
        text += " (" + ", ".join(bounds) + ")"
    if schema.get("nullable"):
        text += ", or null"
    return {"text": text, "ref": None}


def properties(schema: dict[str, Any]) -> list[dict[str, Any]]:
    required = set(schema.get("required", []))
    return [{"name": name, "type": type_label(prop), "required": name in required,
             "description": prop.get("description", "")}
            for name, prop in schema.get("properties", {}).items()]


def operations(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The operations grouped by tag, in the order of the document's tags."""
    responses = spec.get("components", {}).get("responses", {})
    parameters = spec.get("components", {}).get("parameters", {})
    groups: dict[str, dict[str, Any]] = {t["name"]: {"name": t["name"], "description": t.get("description", ""),
                                                     "operations": []} for t in spec.get("tags", [])}
    for path, item in spec.get("paths", {}).items():
        shared = item.get("parameters", [])
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            params = [parameters[ref_name(p["$ref"])] if "$ref" in p else p for p in shared + op.get("parameters", [])]
            body = None
            if "requestBody" in op:
                content_type, media = next(iter(op["requestBody"]["content"].items()))
                body = {"content_type": content_type, "type": type_label(media.get("schema"))}
            answers = []
            for status, response in sorted(op.get("responses", {}).items(),
                                           key=lambda pair: int(pair[0]) if pair[0].isdigit() else 999):
                if "$ref" in response:
                    response = responses.get(ref_name(response["$ref"]), {})
                media = next(iter(response.get("content", {}).values()), {})
                answers.append({"status": status, "description": response.get("description", ""),
                                "type": type_label(media.get("schema")) if media.get("schema") else None})
            tag = (op.get("tags") or ["Other"])[0]
            groups.setdefault(tag, {"name": tag, "description": "", "operations": []})["operations"].append({
                "id": op.get("operationId", ""), "method": method.upper(), "path": path,
                "summary": op.get("summary", ""), "description": markdown(op.get("description")),
                "parameters": [{"name": p["name"], "in": p["in"], "required": p.get("required", False),
                                "type": type_label(p.get("schema")), "description": p.get("description", "")}
                               for p in params],
                "body": body, "responses": answers,
            })
    return [g for g in groups.values() if g["operations"]]


@bp.route(f"{PREFIX}/docs")
def show_reference():
    spec = current_app.extensions["forum_api"].spec.to_dict()
    schemas = [{"name": name, "properties": properties(schema), "description": schema.get("description", "")}
               for name, schema in sorted(spec.get("components", {}).get("schemas", {}).items())]
    return render_template("api/reference.html", info=spec["info"], groups=operations(spec), schemas=schemas,
                           description=markdown(spec["info"].get("description")),
                           openapi_url=f"{PREFIX}/openapi.json")
