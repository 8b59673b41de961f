"""Word-level differences between texts: what an amendment changes, and what happens to it when
another amendment is adopted first (PROCEDURE.md rules 20, 24, 25 and 26).

A mover edits the paragraph in place; the platform derives the change as runs
`[{op: equal | insert | delete, text}]`. Joining the equal and deleted runs gives the text the
amendment was written on, joining the equal and inserted runs gives the text it proposes.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from markupsafe import Markup, escape

# Words (with inner apostrophes and hyphens: "workers'", "rights-based"), runs of spaces, and any
# other single character (punctuation) are the units a change is made of.
_TOKEN = re.compile(r"\w+(?:['’\-]\w+)*|\s+|[^\w\s]")
_SPACES = re.compile(r"\s+")

Runs = list[dict[str, str]]


def normalise(text: str | None) -> str:
    """One space between words, none at the ends: spacing is never a change of substance."""
    return _SPACES.sub(" ", text or "").strip()


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _is_word(token: str) -> bool:
    return not token.isspace()


def word_diff(old: str, new: str) -> Runs:
    """The runs that turn `old` into `new`, a replaced phrase shown as one deletion then one insertion."""
    a, b = tokens(old), tokens(new)
    codes = SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    blocks: list[list[str]] = []  # ["equal", text] or ["change", deleted, inserted]
    for index, (tag, i1, i2, j1, j2) in enumerate(codes):
        if tag == "equal":
            text = "".join(a[i1:i2])
            # A lone space between two changes belongs to them: "a b" → "c d" is one replacement.
            if 0 < index < len(codes) - 1 and text.isspace() and blocks and blocks[-1][0] == "change":
                blocks[-1][1] += text
                blocks[-1][2] += text
            else:
                blocks.append(["equal", text])
            continue
        deleted, inserted = "".join(a[i1:i2]), "".join(b[j1:j2])
        if blocks and blocks[-1][0] == "change":
            blocks[-1][1] += deleted
            blocks[-1][2] += inserted
        else:
            blocks.append(["change", deleted, inserted])
    runs: Runs = []
    for block in blocks:
        if block[0] == "equal":
            runs.append({"op": "equal", "text": block[1]})
            continue
        if block[1]:
            runs.append({"op": "delete", "text": block[1]})
        if block[2]:
            runs.append({"op": "insert", "text": block[2]})
    return runs


def old_text(runs: Runs) -> str:
    return "".join(r["text"] for r in runs if r["op"] != "insert")


def new_text(runs: Runs) -> str:
    return "".join(r["text"] for r in runs if r["op"] != "delete")


def has_changes(runs: Runs) -> bool:
    return any(r["op"] != "equal" for r in runs)


def render(runs: Runs) -> Markup:
    """Deletions struck through, insertions underlined (rule 26); the text is escaped.

    Plain string joins of escaped pieces: `Markup.format` per run cost a tenth of the marshalled
    list's page (B10)."""
    out: list[str] = []
    for run in runs:
        text = run["text"]
        if run["op"] == "equal":
            out.append(escape(text))
            continue
        # Spaces at the edges of a change are shown outside its mark, so that only words are struck or underlined.
        core = text.strip()
        lead, trail = text[:len(text) - len(text.lstrip())], text[len(text.rstrip()):] if core else ""
        tag = "del" if run["op"] == "delete" else "ins"
        out.append(f"{escape(lead)}<{tag}>{escape(core or text)}</{tag}>{escape(trail)}")
    return Markup("".join(out))


# --- edits in the token space of a base text ---------------------------------------------------------

@dataclass(frozen=True)
class Edit:
    """Replace base tokens [start, end) with `replacement`; `words` is the same range counted in
    words, so that where spaces fall never decides whether two changes meet."""

    start: int
    end: int
    replacement: tuple[str, ...]
    words: tuple[int, int] = (0, 0)

    @property
    def is_insertion(self) -> bool:
        return self.words[0] == self.words[1]


def _word_prefix(a: list[str]) -> list[int]:
    prefix = [0]
    for token in a:
        prefix.append(prefix[-1] + (1 if _is_word(token) else 0))
    return prefix


def edits(base: str, text: str) -> list[Edit]:
    return list(_edits(base, text))


@functools.lru_cache(maxsize=8192)
def _edits(base: str, text: str) -> tuple[Edit, ...]:
    """Memoised: the marshalled list compares every pair of a paragraph's amendments, and the status
    board and exports order them again; a 300-amendment list went from 2.2 s to a fraction of that
    (docs/benchmarks.md, B10). A pure function of two strings; Edit is frozen."""
    a, b = tokens(base), tokens(text)
    prefix = _word_prefix(a)
    return tuple(Edit(i1, i2, tuple(b[j1:j2]), (prefix[i1], prefix[i2]))
                 for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
                 if tag != "equal")


def _conflict(ours: Edit, theirs: Edit) -> bool:
    """Does `theirs` (adopted) delete or replace the words `ours` targets (rule 25)?"""
    (o1, o2), (t1, t2) = ours.words, theirs.words
    if not ours.is_insertion and not theirs.is_insertion:
        return o1 < t2 and t1 < o2
    if ours.is_insertion and theirs.is_insertion:
        return o1 == t1  # two insertions at one place: their order is a question
    if ours.is_insertion:
        # Our insertion is placed by the words around it; if those were replaced, so is its place.
        return t1 <= o1 <= t2
    return o1 < t1 < o2  # words inserted inside the words we replace


def conflicts(base: str, adopted: str, ours: str) -> bool:
    theirs_edits = _edits(base, adopted)
    return any(_conflict(o, t) for o in _edits(base, ours) for t in theirs_edits)


@functools.lru_cache(maxsize=8192)
def overlaps(base: str, one: str, other: str) -> bool:
    """Do two changes of the same text touch the same words (rule 24 groups them)? Memoised: the
    marshalled order asks it of the same pairs on every page that shows it (B10)."""
    first, second = _edits(base, one), _edits(base, other)  # read only: the memoised tuples, no copies
    return any(_conflict(a, b) or _conflict(b, a) for a in first for b in second)


def rebase(base: str, adopted: str, ours: str) -> str | None:
    """`ours` (written on `base`) carried over onto `adopted`, or None when the adopted change
    deleted or replaced the words ours targets: then the Chair decides (rule 25)."""
    theirs_edits = edits(base, adopted)
    our_edits = edits(base, ours)
    if any(_conflict(o, t) for o in our_edits for t in theirs_edits):
        return None
    combined = sorted(theirs_edits + our_edits, key=lambda e: (e.start, 0 if e.is_insertion else 1))
    a = tokens(base)
    out: list[str] = []
    cursor = 0
    for edit in combined:
        if edit.start < cursor and out and not out[-1].isspace() and edit.replacement \
                and not edit.replacement[0].isspace():
            out.append(" ")  # both changes took the space between them
        out.extend(a[cursor:edit.start])
        out.extend(edit.replacement)
        cursor = max(cursor, edit.end)
    out.extend(a[cursor:])
    return normalise("".join(out))


@functools.lru_cache(maxsize=8192)
def affected_span(base: str, text: str) -> tuple[int, int] | None:
    """The words of `base` an amendment touches, as word indexes [first, last); None if none.

    Orders the marshalled list (rule 24: by the position of the affected words) and groups
    amendments on the same words. Memoised like `_edits` (an immutable answer from two strings):
    every page showing the marshalled order sorts by it (B10).
    """
    found = _edits(base, text)
    if not found:
        return None
    prefix = _word_prefix(tokens(base))
    start = min(e.start for e in found)
    end = max(e.end for e in found)
    return prefix[start], max(prefix[end], prefix[start])


# --- the text as it stands, each change traceable to its amendment (rule 26) ------------------------

@dataclass
class Segment:
    op: str  # equal | insert | delete
    text: str
    amendment_id: int | None = None


def attributed_diff(versions: list[tuple[str, int | None]]) -> list[Segment]:
    """From the first version to the last, each insertion and deletion tagged with the amendment
    whose adoption made it. `versions` is [(text, amendment_id)], oldest first.

    Words inserted by one amendment and removed by a later one disappear from the view; the
    paragraph's history shows each step.
    """
    if not versions:
        return []
    items: list[list] = [["equal", t, None] for t in tokens(versions[0][0])]
    for text, amendment_id in versions[1:]:
        live = [i for i, item in enumerate(items) if item[0] != "delete"]
        a = [items[i][1] for i in live]
        b = tokens(text)
        result: list[list] = []
        consumed = 0  # items copied so far
        for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
            stop = live[i1] if i1 < len(live) else len(items)
            result.extend(items[consumed:stop])  # deletions already shown before this point
            consumed = stop
            if tag == "equal":
                end = live[i2 - 1] + 1
                result.extend(items[consumed:end])
                consumed = end
                continue
            for k in range(i1, i2):
                result.extend(items[consumed:live[k]])
                item = items[live[k]]
                if item[0] == "equal":
                    result.append(["delete", item[1], amendment_id])
                # an insertion removed again simply disappears
                consumed = live[k] + 1
            result.extend(["insert", t, amendment_id] for t in b[j1:j2])
        result.extend(items[consumed:])
        items = result
    segments: list[Segment] = []
    for op, text, amendment_id in items:
        if segments and segments[-1].op == op and segments[-1].amendment_id == amendment_id:
            segments[-1].text += text
        else:
            segments.append(Segment(op, text, amendment_id))
    return segments
