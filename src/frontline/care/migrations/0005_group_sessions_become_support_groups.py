"""Group sessions are support groups among the outreach app's lectures now: outreach 0004 moved
every session and sign-up there, so care's own models go."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("care", "0004_group_sessions"),
        ("outreach", "0004_support_groups_from_care"),
    ]

    operations = [
        migrations.DeleteModel(name="SessionSignup"),
        migrations.DeleteModel(name="GroupSession"),
    ]
