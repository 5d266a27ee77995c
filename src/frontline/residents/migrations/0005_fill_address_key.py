from django.db import migrations


def fill_address_key(apps, schema_editor):
    from frontline.places.models import address_key

    Household = apps.get_model("places", "Household")
    Resident = apps.get_model("residents", "Resident")
    households = Household.objects.values_list(
        "pk", "unit__building__number", "unit__number", "room"
    )
    for pk, building, unit, room in households.iterator():
        Resident.objects.filter(household_id=pk).update(
            address_key=address_key(building, unit, room)
        )


class Migration(migrations.Migration):
    dependencies = [("residents", "0004_address_key_and_list_indexes")]

    operations = [migrations.RunPython(fill_address_key, migrations.RunPython.noop)]
