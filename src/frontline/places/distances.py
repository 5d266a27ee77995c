"""Walking distances between buildings, for delivery routes (`frontline.deliveries.routing`)."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from frontline.places.models import Building, WalkingDistance, address_key


def estimated_metres(origin: Building, destination: Building) -> int | None:
    """The distance along the site plan's axes (Manhattan distance): estates are walked along
    paths between the buildings, not in a straight line across lawns and fences. None when a
    building has no position."""
    if None in (origin.plan_x, origin.plan_y, destination.plan_x, destination.plan_y):
        return None
    return abs(origin.plan_x - destination.plan_x) + abs(origin.plan_y - destination.plan_y)  # type: ignore[operator]


def walking_metres(*, depot: Building, buildings: Sequence[Building]) -> list[list[int]]:
    """The matrix of metres walked between the depot (index 0) and `buildings` (index i for
    `buildings[i - 1]`), from one row to one column: an imported `WalkingDistance` where the
    community's matrix has the pair, else estimated from the buildings' positions on the site
    plan (`estimated_metres`). One query.

    Raises ValidationError naming every building that has no position on the site plan while a
    distance it needs was not imported.
    """
    places = [depot, *buildings]
    ids = {place.pk for place in places}
    imported = {
        (origin, destination): metres
        for origin, destination, metres in WalkingDistance.objects.filter(
            origin__in=ids, destination__in=ids
        ).values_list("origin_id", "destination_id", "metres")
    }
    unplaced: dict[int, Building] = {}
    matrix = []
    for origin in places:
        row = []
        for destination in places:
            if origin.pk == destination.pk:
                row.append(0)
                continue
            metres = imported.get((origin.pk, destination.pk))
            if metres is None:
                metres = estimated_metres(origin, destination)
            if metres is None:
                unplaced |= {
                    place.pk: place for place in (origin, destination) if place.plan_x is None
                    or place.plan_y is None
                }  # fmt: skip
                metres = 0
            row.append(metres)
        matrix.append(row)
    if unplaced:
        numbers = sorted(
            (place.number for place in unplaced.values()),
            key=lambda number: address_key(number, "", ""),
        )
        raise ValidationError(
            _(
                "Enter the position on the site plan (or import the walking distances) of "
                "building %(numbers)s."
            )
            % {"numbers": get_text_list(numbers, _("and"))},
            code="no_position",
        )
    return matrix
