"""A positive single-tube nucleic-acid test is evidence for a confirmed-case order; a positive
pool is not (its people are re-sampled one per tube first)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from frontline.control.selectors import candidates
from frontline.control.services import order_create
from frontline.policy.models import Category, RuleSet
from frontline.policy.rules import PhaseSpec
from frontline.policy.services import category_rule_put, rule_set_copy, rule_set_publish
from frontline.sampling.models import Sample
from frontline.sampling.services import ResultLine, results_record, sample_add, tube_open
from frontline.sampling.tests.factories import a_round, residents


def confirmed_cases_identified(world) -> None:  # type: ignore[no-untyped-def]
    admin = world.users["admin"]
    copy = rule_set_copy(
        actor=admin, source=RuleSet.objects.get(preset="ninth-edition"), name="本地方案"
    )
    category_rule_put(actor=admin, rule_set=copy, category=Category.CONFIRMED_CASE, identified=True,
                      phases=[PhaseSpec("centralised_isolation", 10, (1, 5, 10))])  # fmt: skip
    rule_set_publish(
        actor=admin, rule_set=copy, effective_from=timezone.localdate() - dt.timedelta(days=30)
    )


def positive(world, barcode: str, people) -> None:  # type: ignore[no-untyped-def]
    results_record(
        actor=world.users["admin"], source="lab.csv",
        lines=[ResultLine(line=2, barcode=barcode, result="positive", reported_at=timezone.now(), lab="区疾控")],
    )  # fmt: skip


def test_a_positive_single_tube_is_evidence_for_a_confirmed_case_order_and_a_pool_is_not(
    world, client_for
):
    confirmed_cases_identified(world)
    round = a_round(world)
    alone, *pooled = residents(world, 3)
    single = tube_open(actor=world.users["sampler"], round=round, barcode="S1", capacity=1)
    sample_add(actor=world.users["sampler"], tube=single, resident=alone, scan_id="s")
    pool = tube_open(actor=world.users["sampler"], round=round, barcode="P1", capacity=5)
    for n, person in enumerate(pooled):
        sample_add(actor=world.users["sampler"], tube=pool, resident=person, scan_id=f"p{n}")
    positive(world, "S1", [alone])
    positive(world, "P1", pooled)

    found = candidates(
        viewer=world.users["fulltime"], since=timezone.localdate() - dt.timedelta(days=1)
    )
    assert [s.resident for s in found.samples] == [alone]
    page = client_for("fulltime").get(reverse("control:candidates")).content.decode()
    single_sample = Sample.objects.get(tube=single)
    assert f"?sample={single_sample.pk}" in page

    order = order_create(
        actor=world.users["fulltime"], evidence=single_sample, category=Category.CONFIRMED_CASE,
        start=timezone.localdate(),
    )  # fmt: skip
    assert order.sample == single_sample and order.evidence_kind == "sample"
    detail = client_for("fulltime").get(
        reverse("control:detail", kwargs={"pk": order.pk}), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "Positive nucleic-acid test, tube S1" in detail.content.decode()
    with pytest.raises(ValidationError) as raised, translation.override("en"):
        order_create(
            actor=world.users["fulltime"], evidence=Sample.objects.get(resident=pooled[0]),
            category=Category.CONFIRMED_CASE, start=timezone.localdate(),
        )  # fmt: skip
    with translation.override("en"):
        assert "re-sample a pool one per tube" in " ".join(raised.value.messages)
    assert candidates(viewer=world.users["fulltime"], since=timezone.localdate()).samples == []


def test_the_api_makes_an_order_from_a_sample(world, client_for):
    confirmed_cases_identified(world)
    round = a_round(world)
    (alone,) = residents(world, 1)
    single = tube_open(actor=world.users["sampler"], round=round, barcode="S1", capacity=1)
    sample_add(actor=world.users["sampler"], tube=single, resident=alone, scan_id="s")
    positive(world, "S1", [alone])
    sample = Sample.objects.get()
    answer = client_for("fulltime").post(
        "/api/v1/control/orders",
        {
            "sample_id": sample.pk,
            "category": "confirmed_case",
            "start": timezone.localdate().isoformat(),
        },
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["evidence_kind"] == "sample"
