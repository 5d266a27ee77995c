"""The policy pages: who may read and who may change rule sets, the plain-words summary, the
schedule calculator, the comparison, and copy / edit / publish through the same services."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from frontline.core.models import AuditAction, AuditEntry
from frontline.policy.models import Category, CategoryRule, RuleSet, RuleSetStatus, ZoneRule
from frontline.policy.services import rule_set_copy

READERS = ["officer", "admin", "fulltime", "parttime", "grid1", "sampler"]
NOT_READERS = ["volunteer", "counsellor"]
EDITORS = ["officer", "admin"]
NOT_EDITORS = ["fulltime", "parttime", "grid1", "sampler", "volunteer", "counsellor"]
CLOSE_CONTACT_9TH = (
    "Close contact: 7 days of centralised isolation, then 3 days of home health monitoring; "
    "tests on days 1, 2, 3, 5, 7 of centralised isolation and day 3 of home health monitoring."
)


@pytest.fixture
def english(client_for):
    """A client for a role whose browser asks for English pages."""

    def login(role: str) -> Client:
        client = client_for(role)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return login


@pytest.fixture
def draft(presets, world):
    return rule_set_copy(
        actor=world.users["admin"], source=presets["ninth-edition"], name="第九版（本市）"
    )


def rules_of(rule_set):
    return [
        (rule.category, rule.identified, [(p.order, p.measure, p.days, p.test_days) for p in rule.phases.all()])
        for rule in CategoryRule.objects.filter(rule_set=rule_set).prefetch_related("phases")
    ]  # fmt: skip


def zones_of(rule_set):
    return list(
        ZoneRule.objects.filter(rule_set=rule_set).values_list(
            "level", "designated", "days_without_case", "next_level"
        )
    )


def text_of(response) -> str:
    """The page's text with tags removed and whitespace collapsed, to match sentences."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def phase_post(category: str, phases: list[tuple[str, str, str]], *, identified: bool = True,
               initial: int = 0, deleted: tuple[int, ...] = ()) -> dict[str, str]:  # fmt: skip
    """The edit form's POST for one category card."""
    prefix = f"{category}-phases"
    data = {
        "category": category, f"{category}-notes": "",
        f"{prefix}-TOTAL_FORMS": str(len(phases)), f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "10",
    }  # fmt: skip
    if identified:
        data[f"{category}-identified"] = "on"
    for index, (measure, days, test_days) in enumerate(phases):
        data |= {f"{prefix}-{index}-measure": measure, f"{prefix}-{index}-days": days,
                 f"{prefix}-{index}-test_days": test_days}  # fmt: skip
        if index in deleted:
            data[f"{prefix}-{index}-DELETE"] = "on"
    return data


# -- who may do what ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", READERS)
def test_health_workers_and_policy_editors_read_the_rule_sets(presets, client_for, role):
    client = client_for(role)
    assert client.get(reverse("policy:list")).status_code == 200
    detail = reverse("policy:detail", kwargs={"pk": presets["ninth-edition"].pk})
    assert client.get(detail).status_code == 200


@pytest.mark.parametrize("role", NOT_READERS)
def test_roles_without_health_or_policy_work_get_403(presets, client_for, role):
    client = client_for(role)
    assert client.get(reverse("policy:list")).status_code == 403
    detail = reverse("policy:detail", kwargs={"pk": presets["ninth-edition"].pk})
    assert client.get(detail).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(presets):
    pk = presets["ninth-edition"].pk
    for name, kwargs in [("policy:list", {}), ("policy:detail", {"pk": pk}),
                         ("policy:copy", {"pk": pk}), ("policy:publish", {"pk": pk})]:  # fmt: skip
        response = Client().get(reverse(name, kwargs=kwargs))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", NOT_EDITORS)
def test_only_policy_editors_copy_edit_and_publish(draft, presets, client_for, role):
    client = client_for(role)
    for name in ("policy:copy", "policy:edit", "policy:zones", "policy:publish"):
        assert client.get(reverse(name, kwargs={"pk": draft.pk})).status_code == 403, name
    copy = client.post(reverse("policy:copy", kwargs={"pk": draft.pk}), {"name": "偷偷复制"})
    assert copy.status_code == 403
    edit = client.post(
        reverse("policy:edit", kwargs={"pk": draft.pk}),
        phase_post("close_contact", [("home_isolation", "1", "")]),
    )
    assert edit.status_code == 403
    publish = client.post(
        reverse("policy:publish", kwargs={"pk": draft.pk}), {"effective_from": "2030-01-01"}
    )
    assert publish.status_code == 403
    draft.refresh_from_db()
    assert draft.status == RuleSetStatus.DRAFT
    assert rules_of(draft) == rules_of(presets["ninth-edition"])
    assert not RuleSet.objects.filter(name="偷偷复制").exists()


@pytest.mark.parametrize("role", EDITORS)
def test_policy_editors_open_every_editing_page(draft, client_for, role):
    client = client_for(role)
    for name in ("policy:copy", "policy:edit", "policy:zones", "policy:publish"):
        assert client.get(reverse(name, kwargs={"pk": draft.pk})).status_code == 200, name


@pytest.mark.parametrize("role", ["admin", "volunteer"])
def test_a_missing_rule_set_is_404_for_everyone(presets, client_for, role):
    missing = RuleSet.objects.latest("pk").pk + 100
    for name in (
        "policy:detail",
        "policy:schedule",
        "policy:copy",
        "policy:edit",
        "policy:publish",
    ):
        assert client_for(role).get(reverse(name, kwargs={"pk": missing})).status_code == 404


# -- reading -----------------------------------------------------------------------------------


def test_the_list_highlights_the_rule_set_in_force_today(presets, english):
    page = english("grid1").get(reverse("policy:list")).content.decode()
    in_force = re.search(r'<tr class="table-success in-force">(.*?)</tr>', page, re.S)
    assert in_force is not None and presets["class-b"].name in in_force.group(1)
    assert page.count("in-force") == 1
    for rule_set in presets.values():
        assert rule_set.name in page


def test_the_list_searches_by_name(presets, client_for):
    page = client_for("admin").get(reverse("policy:list"), {"q": "第九版"}).content.decode()
    table = page[page.index('id="rule-set-table"') :]
    assert presets["ninth-edition"].name in table and presets["class-b"].name not in table
    partial = client_for("admin").get(reverse("policy:list"), {"q": "乙类", "sort": "name"},
                                      HTTP_HX_REQUEST="true").content.decode()  # fmt: skip
    assert "<html" not in partial and presets["class-b"].name in partial
    assert presets["ninth-edition"].name not in partial


def test_the_list_runs_a_constant_number_of_queries(presets, world, client_for):
    client = client_for("admin")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("policy:list")).status_code == 200
        return len(queries)

    rule_set_copy(actor=world.users["admin"], source=presets["class-b"], name="copy 0")
    few = count()
    for index in range(1, 15):
        rule_set_copy(actor=world.users["admin"], source=presets["class-b"], name=f"copy {index}")
    assert count() == few


def test_the_detail_page_has_a_bounded_number_of_queries(
    presets, client_for, django_assert_max_num_queries
):
    url = reverse("policy:detail", kwargs={"pk": presets["ninth-edition"].pk})
    client = client_for("admin")
    with django_assert_max_num_queries(15):
        response = client.get(url, {"compare": presets["twenty-measures"].pk})
    assert 'id="comparison"' in response.content.decode()


def test_the_detail_page_says_what_the_9th_edition_means(presets, english):
    url = reverse("policy:detail", kwargs={"pk": presets["ninth-edition"].pk})
    text = text_of(english("grid1").get(url))
    assert CLOSE_CONTACT_9TH in text
    assert (
        "Contact of a close contact: 7 days of home isolation; tests on days 1, 4, 7 of home "
        "isolation." in text
    )
    assert "Confirmed case: this rule set has no rule." in text
    assert "High-risk area: steps down to medium-risk area after 7 days without a new case." in text
    assert "Low-risk area: does not step down." in text


def test_the_detail_page_of_class_b_says_contacts_are_not_identified(presets, english):
    url = reverse("policy:detail", kwargs={"pk": presets["class-b"].pk})
    text = text_of(english("grid1").get(url))
    assert "Close contact: not identified or managed." in text


def test_readers_are_not_offered_editing(presets, client_for):
    page = (
        client_for("grid1")
        .get(reverse("policy:detail", kwargs={"pk": presets["ninth-edition"].pk}))
        .content.decode()
    )
    assert "copy-dialog" not in page and "publish-dialog" not in page


def test_published_rule_sets_offer_copy_but_no_edit_or_publish(presets, client_for):
    page = (
        client_for("admin")
        .get(reverse("policy:detail", kwargs={"pk": presets["ninth-edition"].pk}))
        .content.decode()
    )
    assert "copy-dialog" in page
    assert "publish-dialog" not in page and 'id="edit-link"' not in page


# -- the calculator ----------------------------------------------------------------------------


def test_the_calculator_dates_a_9th_edition_close_contact(presets, english):
    url = reverse("policy:schedule", kwargs={"pk": presets["ninth-edition"].pk})
    response = english("grid1").get(
        url, {"category": "close_contact", "start": "2022-07-01"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body  # the htmx partial only
    text = text_of(response)
    assert "10 days in all; free of every measure from 2022-07-11." in text
    phases = re.findall(r'<tr class="schedule-phase">(.*?)</tr>', body, re.S)
    assert len(phases) == 2
    first, second = (re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)) for row in phases)
    assert "Centralised isolation 2022-07-01 2022-07-07 7" in first
    assert re.findall(r"day (\d+) \((\d\d-\d\d)\)", first) == [
        ("1", "07-01"), ("2", "07-02"), ("3", "07-03"), ("5", "07-05"), ("7", "07-07"),
    ]  # fmt: skip
    assert "Home health monitoring 2022-07-08 2022-07-10 3" in second
    assert re.findall(r"day (\d+) \((\d\d-\d\d)\)", second) == [("3", "07-10")]


def test_the_calculator_says_when_a_category_is_not_managed(presets, english):
    url = reverse("policy:schedule", kwargs={"pk": presets["class-b"].pk})
    text = text_of(english("grid1").get(url, {"category": "close_contact", "start": "2023-02-01"}))
    assert "does not identify or manage people in this category" in text


def test_the_calculator_reports_bad_input(presets, english):
    url = reverse("policy:schedule", kwargs={"pk": presets["ninth-edition"].pk})
    response = english("grid1").get(
        url, {"category": "martian", "start": "2022-13-01"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422
    assert response.content.decode().count("invalid-feedback") == 2


# -- comparison --------------------------------------------------------------------------------


def test_the_comparison_highlights_what_changed(presets, english):
    url = reverse("policy:detail", kwargs={"pk": presets["ninth-edition"].pk})
    page = english("grid1").get(url, {"compare": presets["twenty-measures"].pk}).content.decode()
    differing = re.findall(r'<tr class="table-warning differs"><th>(.*?)</th>', page)
    assert "Close contact" in differing and "Contact of a close contact" in differing
    assert "Confirmed case" not in differing  # neither set has a rule for it
    row = re.search(r'<tr class="table-warning differs"><th>Close contact</th>(.*?)</tr>', page)
    assert row is not None
    assert "7 days of centralised isolation" in row.group(1)
    assert "5 days of centralised isolation, then 3 days of home isolation" in row.group(1)


def test_a_copy_compared_with_its_source_shows_no_difference(presets, draft, client_for):
    url = reverse("policy:detail", kwargs={"pk": draft.pk})
    page = client_for("admin").get(url, {"compare": presets["ninth-edition"].pk}).content.decode()
    assert 'id="comparison"' in page and "differs" not in page


# -- copy, edit, publish -----------------------------------------------------------------------


def test_an_editor_copies_a_rule_set_as_a_draft(presets, client_for):
    source = presets["twenty-measures"]
    response = client_for("officer").post(
        reverse("policy:copy", kwargs={"pk": source.pk}), {"name": "二十条（街道）"}
    )
    copy = RuleSet.objects.get(name="二十条（街道）")
    assert response.status_code == 302 and response["Location"] == reverse(
        "policy:edit", kwargs={"pk": copy.pk}
    )
    assert copy.status == RuleSetStatus.DRAFT and copy.copied_from == source
    assert rules_of(copy) == rules_of(source)


def test_a_copy_under_a_taken_name_is_refused_and_nothing_is_created(presets, english):
    source = presets["twenty-measures"]
    response = english("admin").post(
        reverse("policy:copy", kwargs={"pk": source.pk}), {"name": presets["class-b"].name}
    )
    assert response.status_code == 422
    assert "A rule set with this name already exists." in response.content.decode()
    assert RuleSet.objects.count() == 3


def test_an_editor_changes_a_category_with_added_and_removed_phases(draft, client_for):
    url = reverse("policy:edit", kwargs={"pk": draft.pk})
    data = phase_post(
        "close_contact",
        [("centralised_isolation", "7", "1, 2, 3, 5, 7"), ("home_health_monitoring", "3", "3"),
         ("home_isolation", "3", "1，3")],  # the third row added in the page, Chinese comma
        initial=2, deleted=(1,),
    )  # fmt: skip
    data["centralised_isolation"] = "ignored"
    data["close_contact-phases-0-days"] = "5"
    data["close_contact-phases-0-test_days"] = "1 2 3 5"
    response = client_for("admin").post(url, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "saved" in response.content.decode()
    rule = CategoryRule.objects.get(rule_set=draft, category=Category.CLOSE_CONTACT)
    assert [(p.order, p.measure, p.days, p.test_days) for p in rule.phases.all()] == [
        (1, "centralised_isolation", 5, [1, 2, 3, 5]),
        (2, "home_isolation", 3, [1, 3]),
    ]
    assert AuditEntry.objects.filter(
        action=AuditAction.UPDATE, target_id=str(draft.pk), fields=["category_rules"]
    ).exists()


def test_the_edit_form_shows_every_problem_and_saves_nothing(draft, presets, english):
    before = rules_of(draft)
    data = phase_post(
        "close_contact",
        [("centralised_isolation", "0", "1"), ("home_health_monitoring", "3", "3, 9, 3"),
         ("teleportation", "2", "x")],
        initial=2,
    )  # fmt: skip
    response = english("admin").post(reverse("policy:edit", kwargs={"pk": draft.pk}), data)
    assert response.status_code == 422
    text = text_of(response)
    for message in (
        "A phase lasts at least 1 day.",
        "Test day 9 is outside days 1 to 3.",
        "Test day 3 is listed twice.",
        "Select a valid choice.",
        "Test days are whole numbers separated by commas; x is not one.",
    ):
        assert message in text, message
    assert rules_of(draft) == before


def test_a_category_problem_from_the_service_is_shown_and_nothing_is_saved(draft, english):
    before = rules_of(draft)
    data = phase_post(
        "close_contact", [("centralised_isolation", "7", "1")], initial=1, deleted=(0,)
    )
    response = english("admin").post(
        reverse("policy:edit", kwargs={"pk": draft.pk}), data, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422
    assert "Close contact is identified but has no phases." in text_of(response)
    assert rules_of(draft) == before


def test_an_editor_replaces_the_zone_rules_of_a_draft(draft, client_for):
    data = {
        "zones-TOTAL_FORMS": "2", "zones-INITIAL_FORMS": "0", "zones-MIN_NUM_FORMS": "0",
        "zones-MAX_NUM_FORMS": "12",
        "zones-0-level": "high", "zones-0-designated": "on", "zones-0-days_without_case": "5",
        "zones-0-next_level": "low",
        "zones-1-level": "low", "zones-1-designated": "on",
    }  # fmt: skip
    response = client_for("admin").post(reverse("policy:zones", kwargs={"pk": draft.pk}), data)
    assert response.status_code == 302
    assert zones_of(draft) == [("high", True, 5, "low"), ("low", True, None, "")]


def test_the_zone_form_shows_every_problem_and_saves_nothing(draft, english):
    before = zones_of(draft)
    data = {
        "zones-TOTAL_FORMS": "3", "zones-INITIAL_FORMS": "0", "zones-MIN_NUM_FORMS": "0",
        "zones-MAX_NUM_FORMS": "12",
        "zones-0-level": "high", "zones-0-designated": "on", "zones-0-next_level": "medium",
        "zones-1-level": "high", "zones-1-designated": "on", "zones-1-days_without_case": "7",
        "zones-2-level": "low", "zones-2-designated": "on", "zones-2-next_level": "low",
        "zones-2-days_without_case": "3",
    }  # fmt: skip
    response = english("admin").post(reverse("policy:zones", kwargs={"pk": draft.pk}), data)
    assert response.status_code == 422
    text = text_of(response)
    for message in (
        "High-risk area steps down to Medium-risk area, which this rule set does not define.",
        "High-risk area needs at least 1 day without a new case before it steps down.",
        "High-risk area has more than one rule of the same kind.",
        "Low-risk area cannot step down to itself.",
    ):
        assert message in text, message
    assert zones_of(draft) == before


def test_publishing_shows_the_problems_and_refuses(draft, world, english):
    CategoryRule.objects.filter(rule_set=draft, category=Category.CLOSE_CONTACT).update(
        identified=False  # left with phases: a problem the edit form cannot produce
    )
    url = reverse("policy:publish", kwargs={"pk": draft.pk})
    client = english("admin")
    page = text_of(client.get(url))
    assert "Close contact is not identified but has phases." in page
    detail = client.get(reverse("policy:detail", kwargs={"pk": draft.pk})).content.decode()
    assert "publish-problems" in detail and re.search(r'type="submit" disabled>Publish<', detail)
    response = client.post(url, {"effective_from": "2030-01-01"})
    assert response.status_code == 422
    draft.refresh_from_db()
    assert (draft.status, draft.effective_from) == (RuleSetStatus.DRAFT, None)


def test_publishing_a_sound_draft_puts_it_in_force_and_freezes_it(draft, world, english):
    url = reverse("policy:publish", kwargs={"pk": draft.pk})
    client = english("officer")
    assert "ready to publish" in text_of(client.get(url))
    response = client.post(url, {"effective_from": "2030-01-01"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.effective_from) == (RuleSetStatus.PUBLISHED, date(2030, 1, 1))
    clash = rule_set_copy(actor=world.users["admin"], source=draft, name="again")
    refused = client.post(
        reverse("policy:publish", kwargs={"pk": clash.pk}), {"effective_from": "2030-01-01"}
    )
    assert refused.status_code == 422
    assert "already takes effect on 2030-01-01" in text_of(refused)


def test_published_rule_sets_are_read_only_on_every_page(presets, client_for):
    published = presets["ninth-edition"]
    before, zones_before = rules_of(published), zones_of(published)
    client = client_for("admin")
    for name in ("policy:edit", "policy:zones", "policy:publish"):
        response = client.get(reverse(name, kwargs={"pk": published.pk}))
        assert response.status_code == 302, name
        assert response["Location"] == reverse("policy:detail", kwargs={"pk": published.pk})
    client.post(
        reverse("policy:edit", kwargs={"pk": published.pk}),
        phase_post("close_contact", [("home_isolation", "1", "")]),
    )
    client.post(
        reverse("policy:zones", kwargs={"pk": published.pk}),
        {"zones-TOTAL_FORMS": "0", "zones-INITIAL_FORMS": "0"},
    )
    client.post(
        reverse("policy:publish", kwargs={"pk": published.pk}), {"effective_from": "2031-01-01"}
    )
    published.refresh_from_db()
    assert published.effective_from == date(2022, 6, 28)
    assert rules_of(published) == before and zones_of(published) == zones_before
