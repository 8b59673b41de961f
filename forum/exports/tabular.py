"""The status table as CSV and the whole draft as JSON (schema: docs/exports-schema.json).

CSV cells that a spreadsheet would read as a formula (starting with =, +, -, @, a tab or a carriage
return) are prefixed with an apostrophe: a mover's text is data, never a formula (OWASP's advice).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from flask_babel import gettext as _

from forum.exports.model import AmendmentView, DecisionView, Snapshot, VoteView

CSV_MIMETYPE = "text/csv; charset=utf-8"
JSON_MIMETYPE = "application/json"
SCHEMA_ID = "https://tripartite-forum.invalid/schemas/draft-export/1.0.json"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> str:
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def _when(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def status_rows(s: Snapshot) -> list[list[str]]:
    """One row per paragraph, then its amendments, in document order (as the status board)."""
    header = [_("Item"), _("Label"), _("Final number"), _("Paragraph"), _("Moved by"), _("Seconded by"),
              _("State"), _("Decision"), _("Method"), _("Decided at (UTC)"), _("Positions"), _("Statements"), _("Text")]
    rows = [header]
    by_paragraph: dict[int, list[AmendmentView]] = {}
    for a in s.amendments:
        by_paragraph.setdefault(a.paragraph_id, []).append(a)
    for p in s.paragraphs:
        decision = next((d for d in s.all_decisions() if d.item_kind == "paragraph" and d.item_label == p.label),
                        None)
        rows.append([_("paragraph"), p.label, p.final_label or "", p.label, "", "", p.state_label,
                     decision.outcome_label if decision else "", decision.method if decision else "",
                     _when(decision.at) if decision else "", "", "", p.text(s.language)])
        for a in by_paragraph.get(p.id, []):
            positions = "; ".join(f"{x.group_label}: {x.stance}" for x in a.positions)
            statements = "; ".join(f"{x.state_name}: {x.stance}" for x in a.statements)
            rows.append([_("amendment"), a.number, "", a.paragraph_label, a.movers, "; ".join(a.seconders),
                         a.state_label, a.decision.outcome_label if a.decision else "",
                         a.decision.method if a.decision else "", _when(a.decided_at) or "", positions, statements,
                         a.text])
    return rows


def render_csv(s: Snapshot) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(f"{s.symbol} — {s.status_line}")])
    for row in status_rows(s):
        writer.writerow([neutralise(c) for c in row])
    # A byte-order mark so that spreadsheets read the accents as UTF-8.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _decision(d: DecisionView | None) -> dict[str, Any] | None:
    if d is None:
        return None
    return {"item": d.item, "item_kind": d.item_kind, "item_label": d.item_label, "outcome": d.outcome,
            "method": d.method, "declared_by": d.declared_by, "for_chair": d.for_chair, "at": _when(d.at),
            "sitting": d.sitting, "note": d.note, "reservations": list(d.reservations)}


def _vote(v: VoteView) -> dict[str, Any]:
    return {"item": v.item, "vote_type": v.vote_type, "majority": v.majority, "question": v.question,
            "opened_at": _when(v.opened_at), "closed_at": _when(v.closed_at), "sitting": v.sitting,
            "quorum": v.quorum, "weights": v.weights, "results": v.results, "totals": v.totals,
            "outcome": v.outcome, "names": v.names}


def as_json(s: Snapshot) -> dict[str, Any]:
    return {
        "$schema": SCHEMA_ID,
        "schema_version": s.schema_version,
        "as_of": _when(s.as_of),
        "status": s.status_line,
        "last_sitting": s.last_sitting,
        "meeting": {"id": s.meeting_id, "title": s.meeting_title, "venue": s.meeting_venue, "dates": s.meeting_dates,
                    "timezone": s.timezone},
        "draft": {"id": s.draft_id, "title": s.title, "symbol": s.symbol, "original_language": s.original_language,
                  "languages": s.languages, "state": s.draft_state},
        "parts": [{"id": p.id, "numeral": p.numeral, "title": p.title} for p in s.parts],
        "paragraphs": [{
            "id": p.id, "label": p.label, "kind": p.kind, "part_id": p.part_id, "parent_id": p.parent_id,
            "state": p.state, "final_number": p.final_label, "texts": p.texts, "original": p.original,
            "inserted_by": p.inserted_by, "deleted_by": p.deleted_by, "amendments": p.amendments,
            "changes": {lang: [{"op": c.op, "text": c.text, "amendment": c.amendment} for c in changes]
                        for lang, changes in p.changes.items()},
        } for p in s.paragraphs],
        "renumbering": [{"label": m.label, "final_number": m.final, "state": m.state} for m in s.mapping],
        "amendments": [{
            "id": a.id, "number": a.number, "position": a.position, "parent": a.parent,
            "paragraph": a.paragraph_label, "kind": a.kind, "language": a.language, "movers": a.movers,
            "mover_kind": a.mover_kind, "mover_states": a.mover_states, "on_behalf_of": a.on_behalf_of,
            "non_supporting": a.non_supporting, "seconders": a.seconders, "oral": a.oral, "state": a.state,
            "decided_at": _when(a.decided_at), "text": a.text, "base_text": a.base_text, "diff": a.runs,
            "explanation": a.explanation, "compilation": a.compilation, "group": a.group,
            "positions": [asdict(x) for x in a.positions], "statements": [asdict(x) for x in a.statements],
            "decision": _decision(a.decision),
        } for a in s.amendments],
        "sittings": [{"number": x.number, "title": x.title, "starts_at": _when(x.starts_at), "items_taken": x.taken,
                      "decisions": [_decision(d) for d in x.decisions], "votes": [_vote(v) for v in x.votes]}
                     for x in s.sittings],
        "decisions_outside_sittings": [_decision(d) for d in s.decisions_outside_sittings],
        "votes_outside_sittings": [_vote(v) for v in s.votes_outside_sittings],
    }


def render_json(s: Snapshot) -> bytes:
    return (json.dumps(as_json(s), ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")
