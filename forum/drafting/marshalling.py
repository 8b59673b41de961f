"""The marshalled list (PROCEDURE.md rule 24): the order in which amendments are taken.

By paragraph, in document order; within a paragraph, an amendment deleting it first (if adopted,
the others fall), then amendments by the position of the first word they affect, then new
paragraphs proposed after it; sub-amendments listed right after their amendment (and decided
before it); amendments on the same words grouped. The Chair may move an amendment within its
paragraph: the arrangement is kept on the draft and new amendments find their place around it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from forum.drafting import diff
from forum.drafting.models import Amendment, AmendmentKind, Draft

KIND_RANK = {AmendmentKind.delete: 0, AmendmentKind.modify: 1, AmendmentKind.insert_after: 2}
FAR = 10**9


@dataclass
class Entry:
    amendment: Amendment
    depth: int  # 0: an amendment, 1: a sub-amendment
    position: int  # 1, 2, 3 … in the list
    group: int | None = None  # amendments on the same words share a group number
    group_size: int = 1


def span(amendment: Amendment) -> tuple[int, int]:
    """The words of the base text the amendment affects (deletions: the whole text)."""
    if amendment.kind is AmendmentKind.delete:
        return (0, FAR)
    if amendment.kind is AmendmentKind.insert_after:
        return (FAR, FAR)
    found = diff.affected_span(amendment.base_text, amendment.text)
    return found if found is not None else (FAR, FAR)


def same_words(one: Amendment, other: Amendment) -> bool:
    """Do two amendments target the same words (or the same place)? Rule 24 groups them."""
    if (one.paragraph_id, one.parent_id, one.kind) != (other.paragraph_id, other.parent_id, other.kind):
        return False
    if one.kind is not AmendmentKind.modify:
        return True  # deleting the same paragraph, or adding after it
    if one.language != other.language or one.base_text != other.base_text:
        return False
    return diff.overlaps(one.base_text, one.text, other.text)


def groups_of(amendments: list[Amendment]) -> dict[int, int]:
    """Amendment id -> the id of the first amendment of its group, for groups of two or more."""
    leader: dict[int, int] = {a.id: a.id for a in amendments}

    def find(ident: int) -> int:
        while leader[ident] != ident:
            leader[ident] = leader[leader[ident]]
            ident = leader[ident]
        return ident

    # Only amendments of one paragraph, parent and kind can target the same words (same_words says
    # no otherwise): compare within those buckets, not every pair of the draft (B10, 300 amendments).
    buckets: dict[tuple[Any, ...], list[Amendment]] = {}
    for a in amendments:
        buckets.setdefault((a.paragraph_id, a.parent_id, a.kind), []).append(a)
    for bucket in buckets.values():
        for i, one in enumerate(bucket):
            for other in bucket[i + 1:]:
                if same_words(one, other):
                    a, b = find(one.id), find(other.id)
                    if a != b:
                        leader[max(a, b)] = min(a, b)
    roots = {a.id: find(a.id) for a in amendments}
    sizes: dict[int, int] = {}
    for root in roots.values():
        sizes[root] = sizes.get(root, 0) + 1
    return {ident: root for ident, root in roots.items() if sizes[root] > 1}


def default_key(amendment: Amendment, paragraph_position: int) -> tuple[Any, ...]:
    first, last = span(amendment)
    return (paragraph_position, KIND_RANK[amendment.kind], first, last, amendment.number or FAR, amendment.id)


def _cluster(ordered: list[Amendment], groups: dict[int, int] | None = None) -> list[Amendment]:
    """Keep each group together, where its first member stands (members in their order).

    `groups` is `groups_of` over these amendments or any superset (a group never spans two
    paragraphs, parents or kinds), so that `marshalled` compares the amendments once, not per list.
    One pass: a group's members are collected in the slot its first member opened (B10)."""
    if groups is None:
        groups = groups_of(ordered)
    slots: list[list[Amendment]] = []
    slot_of: dict[int, list[Amendment]] = {}
    for a in ordered:
        root = groups.get(a.id)
        if root is None:
            slots.append([a])
        elif root in slot_of:
            slot_of[root].append(a)
        else:
            slot_of[root] = [a]
            slots.append(slot_of[root])
    return [a for slot in slots for a in slot]


def top_level_order(draft: Draft, amendments: list[Amendment], groups: dict[int, int] | None = None) -> list[int]:
    """Ids of the amendments (not sub-amendments) in the order they are taken."""
    tops = [a for a in amendments if a.parent_id is None]
    positions: dict[int, int] = {}
    for a in tops:
        if a.paragraph_id not in positions:  # once per paragraph, not per amendment
            positions[a.paragraph_id] = a.paragraph.position
    default = [a.id for a in _cluster(sorted(tops, key=lambda a: default_key(a, positions[a.paragraph_id])), groups)]
    custom = draft.marshal_order or []
    present = set(default)
    result = [i for i in custom if i in present]
    placed = set(result)
    if not placed:
        return default
    for index, ident in enumerate(default):
        if ident in placed:
            continue
        previous = next((default[j] for j in range(index - 1, -1, -1) if default[j] in placed), None)
        at = result.index(previous) + 1 if previous is not None else 0
        result.insert(at, ident)
        placed.add(ident)
    return result


def marshalled(draft: Draft, amendments: list[Amendment]) -> list[Entry]:
    """The list as shown: each amendment, then its sub-amendments, numbered in order, with groups."""
    by_id = {a.id: a for a in amendments}
    subs: dict[int, list[Amendment]] = {}
    for a in amendments:
        if a.parent_id is not None:
            subs.setdefault(a.parent_id, []).append(a)
    # Compared once for the whole list: a group lies within one paragraph, parent and kind, so these
    # groups, restricted to any of those lists, are the groups of that list (B10: once, not three times).
    groups = groups_of(amendments)
    entries: list[Entry] = []
    orphans = [a for a in amendments if a.parent_id is not None and a.parent_id not in by_id]
    for ident in top_level_order(draft, amendments, groups):
        entries.append(Entry(by_id[ident], 0, 0))
        ordered = sorted(subs.get(ident, []), key=lambda s: (span(s), s.number or FAR, s.id))
        entries.extend(Entry(sub, 1, 0) for sub in _cluster(ordered, groups))
    entries.extend(Entry(a, 1, 0) for a in orphans)  # their amendment is not in this view
    numbers: dict[int, int] = {}
    sizes: dict[int, int] = {}
    for root in groups.values():
        sizes[root] = sizes.get(root, 0) + 1
    for position, entry in enumerate(entries, start=1):
        entry.position = position
        root = groups.get(entry.amendment.id)
        if root is not None:
            entry.group = numbers.setdefault(root, len(numbers) + 1)
            entry.group_size = sizes[root]
    return entries
