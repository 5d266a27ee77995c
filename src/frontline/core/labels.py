from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from django.db import models


def field_label(model: type[models.Model] | None, name: str) -> str:
    """A field's label in the reader's language; a reverse relation's plural name; else the name."""
    try:
        field = model._meta.get_field(name) if model is not None else None
    except FieldDoesNotExist:  # a field since removed keeps its recorded name
        field = None
    if field is None:
        return name
    if isinstance(field, models.Field):
        return str(field.verbose_name)
    return str(field.related_model._meta.verbose_name_plural)  # e.g. a resident's tags
