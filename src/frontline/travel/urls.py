from django.urls import URLPattern, path

from frontline.travel import views

app_name = "travel"
urlpatterns: list[URLPattern] = [
    path("areas/", views.risk_area_list, name="areas"),
    path("areas/new/", views.risk_area_create, name="area_create"),
    path("areas/import/", views.risk_area_import, name="area_import"),
    path("areas/<int:pk>/", views.risk_area_edit, name="area_edit"),
    path("areas/<int:pk>/end/", views.risk_area_end, name="area_end"),
    path("residents/<int:pk>/", views.resident_trips, name="resident_trips"),
    path("trips/import/", views.trip_import, name="trip_import"),
    path("trips/<int:pk>/remove/", views.trip_remove, name="trip_remove"),
    path("screening/", views.screening, name="screening"),
    path("screening/export/", views.screening_export, name="screening_export"),
]
