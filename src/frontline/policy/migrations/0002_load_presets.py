"""Load the three shipped rule sets (DOMAIN.md's policy versions) as published data."""

from django.db import migrations

from frontline.policy.presets import install_presets, remove_presets


def load(apps, schema_editor):
    install_presets(apps.get_model)


def unload(apps, schema_editor):
    remove_presets(apps.get_model)


class Migration(migrations.Migration):
    dependencies = [
        ("policy", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(load, unload),
    ]
