"""Drop single-column foreign-key indexes that a composite index already leads with (or that
no query uses): every insert paid for them. Only the indexes go; SQLite would otherwise rebuild
the whole table to change `db_index`."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0002_audit_details"),
        ("places", "0003_walking_distance"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "core_auditentry_community_id_c4933df5"',
                    reverse_sql='CREATE INDEX "core_auditentry_community_id_c4933df5" ON "core_auditentry" ("community_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "core_auditentry_target_type_id_d77ed781"',
                    reverse_sql='CREATE INDEX "core_auditentry_target_type_id_d77ed781" ON "core_auditentry" ("target_type_id")',
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="auditentry",
                    name="community",
                    field=models.ForeignKey(
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="places.community",
                        verbose_name="community",
                    ),
                ),
                migrations.AlterField(
                    model_name="auditentry",
                    name="target_type",
                    field=models.ForeignKey(
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="contenttypes.contenttype",
                        verbose_name="object type",
                    ),
                ),
            ],
        ),
    ]
