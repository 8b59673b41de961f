"""API operation exportDraft: a draft's conclusions, compilation, record or data as a file (rule 35).

An adapter over forum/exports/service.py `produce` (the same snapshot and renderers as the
secretariat's export pages), gated by the same permission (`can_export_draft`: the secretariat).
"""

from __future__ import annotations

from typing import Any

from flask import Response, g

from forum import permissions
from forum.api.core import ApiBlueprint
from forum.api.drafting import on_draft
from forum.api.schemas import ExportQuerySchema
from forum.errors import ValidationFailed
from forum.exports import service

blp = ApiBlueprint("api_exports", __name__, tag="Exports",
                   description="The secretariat's exports of a draft: DOCX, PDF, HTML, Markdown, JSON, Akoma Ntoso "
                               "and CSV.")

DATA_KINDS = {"json": "draft", "csv": "status", "akn": "conclusions"}
FILE_TYPES = sorted({m.split(";")[0] for m in service.MIMETYPES.values()})


def kind_for(args: dict[str, Any]) -> str:
    """`format` and `marked` as the issue names them; `kind` for the other documents."""
    fmt = args["format"]
    kind = args.get("kind") or (DATA_KINDS.get(fmt) or ("marked" if args["marked"] else "final"))
    if not service.known(kind, fmt):
        raise ValidationFailed("This document is not made in that format.", {"kind": [
            "final, marked, compilation and record come as docx, pdf, html or md; draft as json, status as csv, "
            "conclusions and amendments as akn."]})
    return kind


@blp.route("/drafts/<id:draft_id>/export", methods=["GET"])
@blp.operation("exportDraft", 403, 404, 422)
@on_draft(permissions.can_export_draft, "Only the meeting secretariat exports drafts.")
@blp.arguments(ExportQuerySchema, location="query")
@blp.response(200, description="The file, as an attachment.")
@blp.doc(responses={200: {"content": {mime: {"schema": {"type": "object", "description": "The whole draft, in its "
                                                      "versioned schema (`schema_version`)."}
                                            if mime == "application/json" else {"type": "string", "format": "binary"}}
                                      for mime in FILE_TYPES}}})
def export_draft(args: dict[str, Any], draft_id: int):
    """Export a draft (the secretariat): `format` docx, pdf, html, md, json, akn or csv

    `marked=1`: the conclusions with the changes marked (Word: tracked changes); `marked=0` (default):
    the final text, renumbered. `kind` asks for another document: `compilation` or `record` (docx,
    pdf, html, md), `amendments` (akn). `language` defaults to the draft's original language. The
    files hold the public record alone (circulated amendments, decisions, votes without secret voters).
    """
    draft = g.api_draft
    kind = kind_for(args)
    language = args.get("language") if args.get("language") in draft.meeting.language_list else None
    export = service.produce(draft, kind, args["format"], language=language or draft.original_language)
    return Response(export.data, mimetype=export.mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{export.filename}"',
                             "Cache-Control": "no-store"})
