"""Reads of cases, contact links and chains: scope first, then filters, then the fetch plan."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from frontline.accounts.access import Permission, scope_q, scoped
from frontline.accounts.models import User
from frontline.contacts.chain import UNCONNECTED, breadth_first, household_edges, ring_positions
from frontline.contacts.models import Case, ContactLink, LinkType, OutsidePerson
from frontline.core.masking import mask_name, mask_phone
from frontline.places.models import Building, Community
from frontline.residents.models import Resident, ResidentStatus
from frontline.residents.selectors import search_filter

Viewer = User | AnonymousUser
CASE_SORTS = {
    "-confirmed": ("-confirmed_on", "-id"),
    "confirmed": ("confirmed_on", "id"),
    "-links": ("-link_count", "-id"),
}
DERIVED_TYPE = "derived_household"


def case_list(*, viewer: Viewer, query: str = "", sort: str = "-confirmed") -> QuerySet[Case]:
    """Cases whose index person the viewer may see, with their number of recorded links."""
    cases = Case.objects.filter(scoped(viewer, Permission.VIEW_HEALTH, Case))
    text = query.strip()
    if text:
        people = Resident.objects.filter(search_filter(text)).values("pk")
        cases = cases.filter(
            Q(reference__icontains=text)
            | Q(resident__in=people)
            | Q(outside_person__name__icontains=text)
        )
    return (
        cases.select_related("resident__household__unit__building", "outside_person")
        .annotate(link_count=Count("links"))
        .order_by(*CASE_SORTS.get(sort, CASE_SORTS["-confirmed"]))
    )


def case_get(*, viewer: Viewer, pk: int, permission: Permission = Permission.VIEW_HEALTH) -> Case:
    """One case the viewer may see; 404 for anyone outside its scope."""
    return get_object_or_404(
        Case.objects.filter(scoped(viewer, permission, Case)).select_related(
            "resident__household__unit__building", "outside_person", "community"
        ),
        pk=pk,
    )


def link_scope(viewer: Viewer, permission: Permission = Permission.VIEW_HEALTH) -> Q:
    """Links in the viewer's community scope, or touching a resident in their grid/building."""
    return (
        scope_q(viewer, permission, community="community")
        | scope_q(viewer, permission, community=None, building="a_building")
        | scope_q(viewer, permission, community=None, building="b_building")
    )


def record_communities(*, viewer: Viewer) -> QuerySet[Community]:
    """Communities where the viewer may record a case of an outside person (community scope)."""
    return Community.objects.filter(scoped(viewer, Permission.RECORD_HEALTH, Community)).order_by(
        "name"
    )


def contact_candidates(*, viewer: Viewer, query: str, limit: int = 10) -> list[Resident]:
    """Residents the viewer may record contacts for, found by name, initials, tail or room."""
    if not query.strip():
        return []
    return list(
        Resident.objects.filter(scoped(viewer, Permission.RECORD_HEALTH, Resident))
        .filter(search_filter(query))
        .exclude(status__in=(ResidentStatus.MOVED_OUT, ResidentStatus.DECEASED))
        .select_related("household__unit__building")
        .order_by("name_initials", "id")[:limit]
    )


def contact_resident_get(*, viewer: Viewer, pk: int | None) -> Resident | None:
    """A resident the viewer may record a contact for, or None when out of reach."""
    if not pk:
        return None
    return (
        Resident.objects.filter(scoped(viewer, Permission.RECORD_HEALTH, Resident))
        .filter(pk=pk)
        .first()
    )


# -- the chain of one case -------------------------------------------------------------------


@dataclass
class Person:
    key: str
    name: str  # the full name, or the masked one when the viewer may not see this person
    phone: str  # always masked
    address: str  # the household (3-2-401) of a resident; empty for an outside person
    resident_id: int | None
    degree: int = UNCONNECTED
    via: int | None = None  # position of the reaching link in `Chain.links`


@dataclass
class Link:
    a: int  # positions in `Chain.people`
    b: int
    link_type: str
    met_on: dt.date | None
    met_at: dt.time | None
    place: str
    derived: bool = False


@dataclass
class Chain:
    case: Case
    people: list[Person] = field(default_factory=list)  # index person first, then by degree
    links: list[Link] = field(default_factory=list)

    def counts(self) -> dict[int, int]:
        found: dict[int, int] = {}
        for person in self.people[1:]:
            found[person.degree] = found.get(person.degree, 0) + 1
        return found

    def rows(self) -> list[ChainRow]:
        """One row per person besides the index person, for the table and the printout."""
        rows = []
        for person in self.people[1:]:
            link = self.links[person.via] if person.via is not None else None
            via = None
            if link is not None:
                via = self.people[link.a if self.people[link.b] is person else link.b]
            rows.append(ChainRow(person=person, link=link, via=via))
        return rows


@dataclass
class ChainRow:
    person: Person
    link: Link | None
    via: Person | None

    @property
    def degree_label(self) -> str:
        return degree_label(self.person.degree)

    @property
    def type_label(self) -> str:
        if self.link is None:
            return ""
        return type_label(self.link.link_type, derived=self.link.derived)


def degree_label(degree: int) -> str:
    if degree == 1:
        return _("Close contact")
    if degree == 2:
        return _("Contact of a contact")
    if degree == UNCONNECTED:
        return _("Not connected to the case")
    return _("Further contact")


def type_label(link_type: str, *, derived: bool = False) -> str:
    if derived:
        return _("Household member (derived)")
    return str(LinkType(link_type).label)


def _visible(viewer: Viewer, model: type[Resident] | type[OutsidePerson]) -> ExpressionWrapper:
    """Whether the viewer's VIEW_HEALTH scope covers the row, as a column of the same query."""
    return ExpressionWrapper(
        scoped(viewer, Permission.VIEW_HEALTH, model), output_field=BooleanField()
    )


def chain_of(*, viewer: Viewer, case: Case) -> Chain:
    """The case's people with their degrees and links, in four queries whatever its size.

    `case` must come from `case_get` (the viewer may see it). Names of people outside the
    viewer's own scope are masked; phones are always masked.
    """
    link_rows = list(
        ContactLink.objects.filter(case=case)
        .order_by("met_on", "id")
        .values_list(
            "a_resident_id", "a_outside_id", "b_resident_id", "b_outside_id",
            "link_type", "met_on", "met_at", "place",
        )
    )  # fmt: skip
    case_links = ContactLink.objects.filter(case=case)
    household_contacts = case_links.filter(
        link_type=LinkType.HOUSEHOLD, b_resident__isnull=False
    ).values("b_resident__household_id")
    residents = (
        Resident.objects.filter(
            Q(pk=case.resident_id or 0)
            | Q(pk__in=case_links.filter(a_resident__isnull=False).values("a_resident_id"))
            | Q(pk__in=case_links.filter(b_resident__isnull=False).values("b_resident_id"))
            | Q(
                household_id__in=household_contacts,
                status__in=(ResidentStatus.PRESENT, ResidentStatus.AWAY),
            )
        )
        .annotate(visible=_visible(viewer, Resident))
        .order_by("id")
        .values_list(
            "id", "name", "phone", "household_id", "building__number",
            "household__unit__number", "household__room", "visible",
        )
    )  # fmt: skip
    outsiders = (
        OutsidePerson.objects.filter(
            Q(pk=case.outside_person_id or 0)
            | Q(pk__in=case_links.filter(a_outside__isnull=False).values("a_outside_id"))
            | Q(pk__in=case_links.filter(b_outside__isnull=False).values("b_outside_id"))
        )
        .annotate(visible=_visible(viewer, OutsidePerson))
        .order_by("id")
        .values_list("id", "name", "phone", "visible")
    )
    known: dict[str, Person] = {}
    household_of: dict[str, int] = {}
    members: dict[int, list[str]] = {}
    for pk, name, phone, household, building, unit, room, visible in residents:
        key = f"r{pk}"
        known[key] = Person(
            key=key, name=name if visible else mask_name(name), phone=mask_phone(phone),
            address=f"{building}-{unit}-{room}", resident_id=pk,
        )  # fmt: skip
        household_of[key] = household
        members.setdefault(household, []).append(key)
    for pk, name, phone, visible in outsiders:
        key = f"o{pk}"
        known[key] = Person(
            key=key, name=name if visible else mask_name(name), phone=mask_phone(phone),
            address="", resident_id=None,
        )  # fmt: skip

    def key_of(resident_id: int | None, outside_id: int | None) -> str:
        return f"r{resident_id}" if resident_id else f"o{outside_id}"

    recorded = [(key_of(r[0], r[1]), key_of(r[2], r[3])) for r in link_rows]
    derived = household_edges(
        [
            pair
            for pair, row in zip(recorded, link_rows, strict=True)
            if row[4] == LinkType.HOUSEHOLD
        ],
        household_of,
        members,
    )
    edges = recorded + derived
    index_key = case.person_key
    reached = breadth_first(index_key, edges)
    order = sorted(
        (key for key in known if key in reached),
        key=lambda key: (reached[key][0], reached[key][1] if reached[key][1] is not None else -1),
    )
    linked = {key for pair in edges for key in pair}
    unconnected = sorted(key for key in linked if key not in reached and key in known)
    people = [known[key] for key in order + unconnected if key in known]
    position = {person.key: i for i, person in enumerate(people)}
    links: list[Link] = []
    for (a, b), row in zip(recorded, link_rows, strict=True):
        links.append(Link(position[a], position[b], row[4], row[5], row[6], row[7]))
    for a, b in derived:
        links.append(Link(position[a], position[b], LinkType.HOUSEHOLD, None, None, "", True))
    for person in people:
        if person.key in reached:
            person.degree, person.via = reached[person.key]
    return Chain(case=case, people=people, links=links)


def chain_graph(chain: Chain, *, label_limit: int = 300) -> dict[str, object]:
    """The chain as compact arrays for the ECharts graph: positions computed here, so the
    browser lays out nothing; names only where few enough to read."""
    positions = ring_positions([person.degree for person in chain.people])
    show_labels = len(chain.people) <= label_limit
    nodes: list[object] = []
    for person, (x, y) in zip(chain.people, positions, strict=True):
        nodes.extend((x, y, person.degree, person.name if show_labels else ""))
    types = [*LinkType.values, DERIVED_TYPE]
    edges: list[int] = []
    for link in chain.links:
        edges.extend(
            (link.a, link.b, types.index(DERIVED_TYPE if link.derived else link.link_type))
        )
    return {
        "nodes": nodes,  # x, y, degree, label; repeated
        "edges": edges,  # source, target, type index; repeated
        "types": [type_label(t, derived=t == DERIVED_TYPE) for t in LinkType.values]
        + [type_label(LinkType.HOUSEHOLD, derived=True)],
        "degrees": {
            str(d): degree_label(d) for d in sorted({p.degree for p in chain.people}) if d > 0
        }
        | (
            {str(UNCONNECTED): degree_label(UNCONNECTED)} if chain.counts().get(UNCONNECTED) else {}
        ),
        "labels": show_labels,
    }


# -- a resident's own cases and links --------------------------------------------------------


def resident_contacts(*, viewer: Viewer, resident: Resident, limit: int = 50) -> dict[str, object]:
    """The cases with this resident as index person and the links they are part of."""
    cases = list(
        Case.objects.filter(
            scoped(viewer, Permission.VIEW_HEALTH, Case), resident=resident
        ).order_by("-confirmed_on", "-id")
    )
    links = (
        ContactLink.objects.filter(link_scope(viewer))
        .filter(Q(a_resident=resident) | Q(b_resident=resident))
        .select_related("case", "a_resident", "a_outside", "b_resident", "b_outside")
        .order_by("-met_on", "-id")
    )
    shown = list(links[: limit + 1])
    others = [
        (link.b_resident, link.b_outside)
        if link.a_resident_id == resident.pk
        else (link.a_resident, link.a_outside)
        for link in shown[:limit]
    ]
    visible_residents = set(
        Resident.objects.filter(scoped(viewer, Permission.VIEW_HEALTH, Resident))
        .filter(pk__in=[r.pk for r, _o in others if r is not None])
        .values_list("pk", flat=True)
    )
    visible_outsiders = set(
        OutsidePerson.objects.filter(scoped(viewer, Permission.VIEW_HEALTH, OutsidePerson))
        .filter(pk__in=[o.pk for _r, o in others if o is not None])
        .values_list("pk", flat=True)
    )
    rows = []
    for link, (other_resident, other_outside) in zip(shown, others, strict=False):
        if other_resident is not None:
            name = other_resident.name if other_resident.pk in visible_residents else None
            other: Resident | OutsidePerson = other_resident
        else:
            assert other_outside is not None
            name = other_outside.name if other_outside.pk in visible_outsiders else None
            other = other_outside
        rows.append(
            {
                "link": link,
                "other_name": name or mask_name(other.name),
                "other_phone": other.masked_phone,
                "type_label": type_label(link.link_type),
            }
        )
    return {"cases": cases, "links": rows, "more": len(shown) > limit}


def contact_summary(*, viewer: Viewer) -> list[dict[str, object]]:
    """Counts per community for those who see aggregates only: no person in it."""
    # Through buildings: a community's own scope path cannot express a sub-district reach.
    communities = Community.objects.filter(
        pk__in=Building.objects.filter(scoped(viewer, Permission.VIEW_AGGREGATES, Building)).values(
            "community_id"
        )
    )
    cases = dict(
        Case.objects.filter(community__in=communities)
        .values_list("community_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    links = dict(
        ContactLink.objects.filter(community__in=communities)
        .values_list("community_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [
        {"community": c.name, "cases": cases.get(c.pk, 0), "links": links.get(c.pk, 0)}
        for c in communities.order_by("name")
    ]
