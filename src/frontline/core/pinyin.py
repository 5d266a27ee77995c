"""Pinyin initials for search ("zsf" finds 张三丰), reading the first character as a surname."""

from __future__ import annotations

from pypinyin import Style, lazy_pinyin

# Surnames that pypinyin reads by their common (non-surname) sound.
SURNAME_INITIALS = {
    "曾": "z", "单": "s", "解": "x", "仇": "q", "区": "o", "朴": "p", "查": "z",
    "盖": "g", "缪": "m", "乐": "y", "尉": "y", "覃": "q", "种": "c", "隗": "w",
    "万俟": "mq", "尉迟": "yc", "长孙": "zs", "重": "c", "翟": "z", "秘": "b", "员": "y",
}  # fmt: skip
COMPOUND_SURNAMES = ("万俟", "尉迟", "长孙", "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "令狐")


def initials(text: str) -> str:
    """Lower-case initials of a Chinese name; latin letters and digits pass through."""
    text = text.strip()
    if not text:
        return ""
    for size in (2, 1):
        head = text[:size]
        if (size == 2 and head in COMPOUND_SURNAMES) or (size == 1 and head in SURNAME_INITIALS):
            lead = SURNAME_INITIALS.get(head) or _letters(head)
            return lead + _letters(text[size:])
    return _letters(text)


def _letters(text: str) -> str:
    return text.translate(_INITIALS)


class _Initials(dict[int, str]):
    """Code point -> its initial, for `str.translate`, filled in as characters are first met
    (names reuse a few thousand characters; an import reads 100k names)."""

    def __missing__(self, code: int) -> str:
        initial = self[code] = _initial(chr(code))
        return initial


_INITIALS = _Initials()


def _initial(char: str) -> str:
    """One character's initial ("" for punctuation and spaces)."""
    if char.isascii():
        return char.lower() if char.isalnum() else ""
    parts = lazy_pinyin(char, style=Style.FIRST_LETTER, errors="default")
    return parts[0][:1].lower() if parts and parts[0][:1].isalnum() else ""
