"""Markdown (CommonMark): headings, numbered paragraphs, pipe tables; insertions as `<ins>` and
deletions as `~~…~~` followed by the amendment's number, so that the marks survive plain text."""

from __future__ import annotations

import re

from forum.exports.content import Document, Heading, PageBreak, Para, Run, Table

MIMETYPE = "text/markdown; charset=utf-8"
_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~])")


def escape(text: str) -> str:
    return _SPECIAL.sub(r"\\\1", text)


def _runs(runs: list[Run]) -> str:
    out = []
    for run in runs:
        if not run.text:
            continue
        core = run.text.strip()
        if not core:
            out.append(run.text)
            continue
        lead = run.text[: len(run.text) - len(run.text.lstrip())]
        trail = run.text[len(run.text.rstrip()):]
        text = escape(core)
        if run.bold:
            text = f"**{text}**"
        if run.italic:
            text = f"*{text}*"
        if run.op == "insert":
            text = f"<ins>{text}</ins>"
        elif run.op == "delete":
            text = f"~~{text}~~"
        out.append(f"{lead}{text}{trail}")
    return "".join(out)


def _cell(text: str) -> str:
    return escape(text).replace("\n", " ")


def render(doc: Document) -> bytes:
    lines: list[str] = [f"<!-- {doc.symbol} -->", ""]
    for block in doc.blocks:
        if isinstance(block, Heading):
            prefix = f"{block.numeral}. " if block.numeral else ""
            lines += [f"{'#' * (block.level + 1)} {prefix}{escape(block.text)}", ""]
        elif isinstance(block, Table):
            if block.caption:
                lines += [f"*{escape(block.caption)}*", ""]
            lines.append("| " + " | ".join(_cell(h) for h in block.header) + " |")
            lines.append("|" + "|".join(" --- " for _ in block.header) + "|")
            lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in block.rows]
            lines.append("")
        elif isinstance(block, PageBreak):
            lines += ["---", ""]
        elif isinstance(block, Para):
            text = _runs(block.runs)
            if block.style == "title":
                lines += [f"# {text}", ""]
                continue
            if block.number:
                number = f"{block.number}." if block.level == 0 else block.number
                indent = "    " if block.level == 1 else ""
                # A literal number (not a Markdown list): the final numbers are ours, not the renderer's.
                lines += [f"{indent}**{escape(number)}** {text}", ""]
            elif block.style == "quote":
                lines += [f"> {text}", ""]
            else:
                lines += [text, ""]
    return ("\n".join(lines).rstrip() + "\n").encode("utf-8")
