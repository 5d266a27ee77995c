from typing import Generic, TypeVar

from ninja import Schema

Item = TypeVar("Item")


class Page(Schema, Generic[Item]):
    count: int
    items: list[Item]


class Error(Schema):
    message: str
    detail: object = None
