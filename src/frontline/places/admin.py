from django.contrib import admin

from frontline.places.models import Building, Community, Grid, Household, SubDistrict, Unit

admin.site.register(SubDistrict, search_fields=["name"])
admin.site.register(Community, list_display=["name", "subdistrict"], search_fields=["name"])
admin.site.register(Grid, list_display=["name", "community"], list_filter=["community"])
admin.site.register(
    Building, list_display=["number", "name", "grid", "community"], list_filter=["community"]
)
admin.site.register(Unit, list_display=["building", "number"], raw_id_fields=["building"])
admin.site.register(Household, list_display=["label", "phone"], raw_id_fields=["unit"])
