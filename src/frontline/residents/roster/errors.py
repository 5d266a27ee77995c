"""The two ways a roster fails: the whole file (RosterError) or one cell (CellError).

Both carry a translatable message and render it in the active language when shown, so a
message raised while parsing reads right in the page, the API and the error workbook.
"""

from __future__ import annotations

from django.utils.functional import Promise


class RosterError(Exception):
    """The file as a whole cannot be imported (too large, unreadable, no header...)."""

    def __init__(self, message: str | Promise) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


class CellError(ValueError):
    """One cell holds a value that cannot be turned into its field."""

    def __init__(self, message: str | Promise) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)
