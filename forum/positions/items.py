"""An item of the draft conclusions that positions, statements, polls, votes and decisions are about.

Every such row stores `draft_id` plus exactly one of `paragraph_id` / `amendment_id`; the API and
the socket protocol name an item as `{"kind": "paragraph" | "amendment", "id": n}`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from forum.drafting.models import Amendment, Draft, Paragraph
from forum.errors import NotFound, ValidationFailed
from forum.extensions import db

KINDS = ("paragraph", "amendment")


@dataclass(frozen=True)
class ItemRef:
    kind: str
    id: int
    draft: Draft
    paragraph: Paragraph | None = None
    amendment: Amendment | None = None

    @property
    def meeting_id(self) -> int:
        return self.draft.meeting_id

    @property
    def obj(self) -> Paragraph | Amendment:
        return self.paragraph if self.kind == "paragraph" else self.amendment  # type: ignore[return-value]

    @property
    def label(self) -> str:
        """The negotiation label of a paragraph, or the amendment's number (e.g. `D.3`)."""
        if self.paragraph is not None:
            return self.paragraph.label
        from forum.drafting.drafts import amendment_label

        return amendment_label(self.draft, self.amendment)  # type: ignore[arg-type]

    def columns(self) -> dict[str, Any]:
        """The columns that point a row at this item."""
        return {"draft_id": self.draft.id,
                "paragraph_id": self.paragraph.id if self.paragraph is not None else None,
                "amendment_id": self.amendment.id if self.amendment is not None else None}

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "draft_id": self.draft.id, "label": self.label}


def item_of(obj: Paragraph | Amendment) -> ItemRef:
    if isinstance(obj, Paragraph):
        return ItemRef("paragraph", obj.id, db.session.get(Draft, obj.draft_id), paragraph=obj)
    return ItemRef("amendment", obj.id, db.session.get(Draft, obj.draft_id), amendment=obj)


def load_item(kind: Any, ident: Any) -> ItemRef:
    """Resolve `{"kind", "id"}` from a form, the API or a socket payload; unknown items are 404."""
    if kind not in KINDS:
        raise ValidationFailed("Name a paragraph or an amendment.", {"kind": ["Use paragraph or amendment."]})
    try:
        ident = int(ident)
    except (TypeError, ValueError) as exc:
        raise ValidationFailed("Name an item by its id.", {"id": ["Use a whole number."]}) from exc
    obj = db.session.get(Paragraph if kind == "paragraph" else Amendment, ident)
    if obj is None:
        raise NotFound("There is no such item.")
    return item_of(obj)


def item_of_row(row: Any) -> ItemRef:
    """The item a stored row (position, statement, poll, vote, decision) points at."""
    if getattr(row, "amendment_id", None):
        return load_item("amendment", row.amendment_id)
    return load_item("paragraph", row.paragraph_id)
