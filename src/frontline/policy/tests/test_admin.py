"""In the superuser-only admin, published rule sets are read-only and drafts editable."""

import pytest
from django.test import Client
from django.urls import reverse

from frontline.accounts.models import User
from frontline.policy.models import CategoryRule, RuleSet


@pytest.fixture
def superuser_client(db):
    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.org", "x"))
    return client


def test_a_published_rule_set_cannot_be_changed_in_the_admin(presets, superuser_client):
    ninth = presets["ninth-edition"]
    url = reverse("admin:policy_ruleset_change", args=[ninth.pk])
    page = superuser_client.get(url)
    assert page.status_code == 200 and b'name="_save"' not in page.content
    response = superuser_client.post(url, {"name": "renamed"})
    assert response.status_code == 403
    ninth.refresh_from_db()
    assert ninth.name == "第九版防控方案"
    rule = CategoryRule.objects.get(rule_set=ninth, category="close_contact")
    rule_page = superuser_client.get(reverse("admin:policy_categoryrule_change", args=[rule.pk]))
    assert b'name="_save"' not in rule_page.content
    delete = superuser_client.post(
        reverse("admin:policy_ruleset_delete", args=[ninth.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    assert RuleSet.objects.filter(pk=ninth.pk).exists()


def test_a_draft_can_be_edited_in_the_admin_but_not_published_there(presets, superuser_client):
    draft = RuleSet.objects.create(name="draft")
    page = superuser_client.get(reverse("admin:policy_ruleset_change", args=[draft.pk]))
    assert b'name="_save"' in page.content
    assert b'name="status"' not in page.content  # status changes only through rule_set_publish
    listing = superuser_client.get(reverse("admin:policy_ruleset_changelist"))
    assert listing.status_code == 200
