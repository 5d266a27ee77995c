"""A notice's simple formatting: paragraphs (a blank line), list items ("- ") and **bold**.

The same text becomes safe HTML for the household page and the flyer, Markdown for a WeCom
group (which reads that subset as is) and plain text for SMS and e-mail.
"""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

BOLD = re.compile(r"\*\*(.+?)\*\*")
ITEM = re.compile(r"^\s*[-*•]\s+")


def _blocks(text: str) -> list[list[str]]:
    blocks: list[list[str]] = [[]]
    for line in text.replace("\r\n", "\n").split("\n"):
        if line.strip():
            blocks[-1].append(line.rstrip())
        elif blocks[-1]:
            blocks.append([])
    return [block for block in blocks if block]


def to_html(text: str) -> SafeString:
    """Escaped first, so nothing a writer types becomes markup beyond the three forms."""
    parts: list[str] = []
    for block in _blocks(text):
        lines = [BOLD.sub(r"<strong>\1</strong>", escape(line)) for line in block]
        if all(ITEM.match(line) for line in block):
            items = "".join(f"<li>{ITEM.sub('', line)}</li>" for line in lines)
            parts.append(f"<ul>{items}</ul>")
        else:
            parts.append(f"<p>{'<br>'.join(lines)}</p>")
    return mark_safe("".join(parts))  # noqa: S308  (escaped above; only our own tags added)


def to_plain(text: str) -> str:
    return "\n\n".join(
        "\n".join(ITEM.sub("· ", BOLD.sub(r"\1", line)) for line in block)
        for block in _blocks(text)
    )


def to_markdown(text: str) -> str:
    return "\n\n".join(
        "\n".join(ITEM.sub("- ", line.strip()) for line in block) for block in _blocks(text)
    )
