from django.urls import path

from frontline.health import views

app_name = "health"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("buildings/<int:pk>/not-checked-in/", views.building_missing, name="building_missing"),
    path("buildings/<int:pk>/batch/", views.building_batch, name="building_batch"),
    path("buildings/<int:pk>/links/", views.building_links, name="building_links"),
    path(
        "buildings/<int:pk>/links/issue/",
        views.building_issue_missing,
        name="building_issue_missing",
    ),
    path("buildings/<int:pk>/links/print/", views.building_sheet, name="building_sheet"),
    path("grids/<int:pk>/not-checked-in/", views.grid_missing, name="grid_missing"),
    path("households/<int:pk>/link/", views.household_issue, name="household_issue"),
    path("households/<int:pk>/link/print/", views.household_sheet, name="household_sheet"),
    path("links/<int:pk>/revoke/", views.link_revoke, name="link_revoke"),
    path("residents/<int:pk>/checkin/", views.resident_checkin, name="resident_checkin"),
    path("checkins/<int:pk>/photo/", views.checkin_photo, name="checkin_photo"),
]
