"""Masked display of sensitive numbers (GB/T 35273-2020 7.2)."""

from __future__ import annotations


def mask_document(number: str) -> str:
    """`11010519491231002X` -> `110105********002X`; short numbers keep only their last 4."""
    if not number:
        return ""
    if len(number) >= 14:
        return number[:6] + "*" * (len(number) - 10) + number[-4:]
    return "*" * max(len(number) - 4, 0) + number[-4:]


def mask_phone(number: str) -> str:
    """`13812345678` -> `138****5678`."""
    if not number:
        return ""
    if len(number) == 11:
        return number[:3] + "****" + number[-4:]
    return "*" * max(len(number) - 4, 0) + number[-4:]


def mask_name(name: str) -> str:
    """`张三丰` -> `*三丰`: the surname hidden, for pages that must not identify a person."""
    return "*" + name[1:] if len(name) > 1 else "*"
