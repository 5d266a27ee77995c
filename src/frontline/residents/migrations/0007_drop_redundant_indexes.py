"""Drop single-column foreign-key indexes that a composite index already leads with (or that
no query uses): every insert paid for them. Only the indexes go; SQLite would otherwise rebuild
the whole table to change `db_index`."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("places", "0003_walking_distance"),
        ("residents", "0006_door_to_door_sweeps"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "residents_resident_building_id_6648243e"',
                    reverse_sql='CREATE INDEX "residents_resident_building_id_6648243e" ON "residents_resident" ("building_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "residents_resident_community_id_8ebe2807"',
                    reverse_sql='CREATE INDEX "residents_resident_community_id_8ebe2807" ON "residents_resident" ("community_id")',
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="resident",
                    name="building",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="places.building",
                        verbose_name="building",
                    ),
                ),
                migrations.AlterField(
                    model_name="resident",
                    name="community",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="places.community",
                        verbose_name="community",
                    ),
                ),
            ],
        ),
    ]
