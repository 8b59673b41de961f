"""Akoma Ntoso 3.0 (OASIS LegalDocML): the conclusions as a `doc` and the compilation as an
`amendmentList` of `amendment` documents.

The conclusions: `meta` (FRBR identification), `preface` (title, symbol, status), `preamble`, and a
`mainBody` of `part`s (`num`, `heading`) holding `paragraph`s (`num`, `content`, or `intro` followed
by lettered `point`s), numbered as in the final text; each element's `class` keeps the negotiation
label (rule 16) and a pending paragraph has `status="incomplete"`. The compilation: each
`component` holds an `amendment` whose `amendmentBody` has an `amendmentHeading` (number, movers
as `docProponent`, outcome as `docStatus`), an `amendmentContent` with the change as `del`/`ins`,
and an `amendmentJustification` when the mover gave one.
"""

from __future__ import annotations

import re
from datetime import UTC
from typing import Any

from lxml import etree

from forum.exports.model import AmendmentView, ParagraphView, Snapshot

NS = "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"
MIMETYPE = "application/akn+xml"
LANGUAGE_CODES = {"en": "eng", "fr": "fra", "es": "spa", "ar": "ara"}


def _el(parent: Any, tag: str, text: str | None = None, **attrs: Any) -> Any:
    node = etree.SubElement(parent, f"{{{NS}}}{tag}", {k.rstrip("_"): str(v) for k, v in attrs.items()
                                                        if v is not None})
    if text is not None:
        node.text = text
    return node


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower() or "x"


def _meta(parent: Any, s: Snapshot, work: str, name: str) -> None:
    meta = _el(parent, "meta")
    ident = _el(meta, "identification", source="#forum")
    date = s.as_of.astimezone(UTC).date().isoformat()
    lang = LANGUAGE_CODES.get(s.language, s.language)
    uri = f"/akn/un/doc/{name}/{date}/{_slug(work)}"
    work_el = _el(ident, "FRBRWork")
    _el(work_el, "FRBRthis", value=f"{uri}/!main")
    _el(work_el, "FRBRuri", value=uri)
    _el(work_el, "FRBRdate", date=date, name="export")
    _el(work_el, "FRBRauthor", href="#meeting")
    _el(work_el, "FRBRcountry", value="un")
    expr = _el(ident, "FRBRExpression")
    _el(expr, "FRBRthis", value=f"{uri}/{lang}@/!main")
    _el(expr, "FRBRuri", value=f"{uri}/{lang}@")
    _el(expr, "FRBRdate", date=date, name="export")
    _el(expr, "FRBRauthor", href="#forum")
    _el(expr, "FRBRlanguage", language=lang)
    manif = _el(ident, "FRBRManifestation")
    _el(manif, "FRBRthis", value=f"{uri}/{lang}@/!main.xml")
    _el(manif, "FRBRuri", value=f"{uri}/{lang}@.akn")
    _el(manif, "FRBRdate", date=date, name="export")
    _el(manif, "FRBRauthor", href="#forum")
    refs = _el(meta, "references", source="#forum")
    _el(refs, "TLCOrganization", eId="forum", href="/ontology/organization/tripartite-forum",
        showAs="Tripartite Forum")
    _el(refs, "TLCOrganization", eId="meeting", href=f"/ontology/organization/meeting-{s.meeting_id}",
        showAs=s.meeting_title)


def _preface(parent: Any, s: Snapshot, title: str) -> None:
    preface = _el(parent, "preface")
    _el(_el(preface, "p", class_="title"), "docTitle", title)
    _el(_el(preface, "p", class_="symbol"), "docNumber", s.symbol)
    _el(_el(preface, "p", class_="status"), "docStatus", s.status_line)


def _tree_bytes(root: Any) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _paragraph(parent: Any, p: ParagraphView, subs: list[ParagraphView], s: Snapshot, eid: str) -> None:
    attrs = {"eId": eid, "class_": f"label-{p.label}"}
    if p.pending:
        attrs["status"] = "incomplete"
    node = _el(parent, "paragraph", **attrs)
    _el(node, "num", f"{p.final}.")
    text = p.text(s.language)
    if subs:
        _el(_el(node, "intro"), "p", text)
        for index, sub in enumerate(subs, start=1):
            sub_attrs = {"eId": f"{eid}__point_{index}", "class_": f"label-{sub.label}"}
            if sub.pending:
                sub_attrs["status"] = "incomplete"
            point = _el(node, "point", **sub_attrs)
            _el(point, "num", sub.final)
            _el(_el(point, "content"), "p", sub.text(s.language))
    else:
        _el(_el(node, "content"), "p", text)


def conclusions(s: Snapshot) -> bytes:
    """The final text as an Akoma Ntoso `doc` (parts, paragraphs, points, numbered as adopted)."""
    root = etree.Element(f"{{{NS}}}akomaNtoso", nsmap={None: NS})
    doc = _el(root, "doc", name="conclusions")
    _meta(doc, s, s.symbol, "conclusions")
    _preface(doc, s, s.title)
    live = [p for p in s.paragraphs if not p.deleted]
    preamble = [p for p in live if p.is_preamble]
    if preamble:
        node = _el(doc, "preamble")
        for p in preamble:
            _el(node, "p", p.text(s.language))
    body = _el(doc, "mainBody")
    children: dict[int, list[ParagraphView]] = {}
    for p in live:
        if p.kind == "subparagraph" and p.parent_id is not None:
            children.setdefault(p.parent_id, []).append(p)
    for part, paragraphs in s.sections():
        container = body
        prefix = ""
        if part is not None:
            prefix = f"part_{part.numeral}__"
            container = _el(body, "part", eId=f"part_{part.numeral}")
            _el(container, "num", f"{part.numeral}.")
            _el(container, "heading", part.title)
        for p in paragraphs:
            if p.deleted or p.is_preamble or (p.kind == "subparagraph" and p.parent_id is not None):
                continue
            _paragraph(container, p, children.get(p.id, []), s, f"{prefix}para_{p.final}")
    return _tree_bytes(root)


def _amendment(parent: Any, s: Snapshot, a: AmendmentView) -> None:
    doc = _el(parent, "amendment", name="amendment", contains="originalVersion")
    _meta(doc, s, f"{s.symbol} {a.number}", "amendment")
    body = _el(doc, "amendmentBody")
    heading = _el(_el(body, "amendmentHeading"), "p")
    _el(heading, "docNumber", a.number)
    target = "preamble" if a.paragraph_label == "preamble" else f"paragraph {a.paragraph_label}"
    label = _el(heading, "span", class_="target")
    label.text = f" — {s.symbol}, {target} — "
    _el(heading, "docProponent", a.movers)
    status = _el(heading, "span", class_="outcome")
    status.text = " — "
    _el(heading, "docStatus", a.state_label)
    if a.seconders:
        _el(_el(body, "amendmentReference"), "p", "Seconded by: " + "; ".join(a.seconders))
    content = _el(_el(body, "amendmentContent"), "p")
    last = None
    for run in a.runs or [{"op": "insert", "text": a.text}]:
        if run["op"] == "equal":
            if last is None:
                content.text = (content.text or "") + run["text"]
            else:
                last.tail = (last.tail or "") + run["text"]
            continue
        last = _el(content, "del" if run["op"] == "delete" else "ins", run["text"])
    if a.explanation:
        _el(_el(body, "amendmentJustification"), "p", a.explanation)


def compilation(s: Snapshot) -> bytes:
    """The marshalled list as an Akoma Ntoso `amendmentList`, one `amendment` per component."""
    root = etree.Element(f"{{{NS}}}akomaNtoso", nsmap={None: NS})
    collection = _el(root, "amendmentList", name="compilation")
    _meta(collection, s, f"{s.symbol} amendments", "amendmentList")
    _preface(collection, s, f"{s.title} — amendments")
    body = _el(collection, "collectionBody")
    if not s.amendments:
        _el(_el(body, "component", eId="cmp_none"), "interstitial").append(etree.Element(f"{{{NS}}}p"))
    for index, a in enumerate(s.amendments, start=1):
        _amendment(_el(body, "component", eId=f"cmp_{index}"), s, a)
    return _tree_bytes(root)
