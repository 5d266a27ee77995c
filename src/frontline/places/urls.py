from django.urls import path

from frontline.places import views

app_name = "places"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("grids/<int:pk>/", views.grid_detail, name="grid"),
    path("buildings/<int:pk>/", views.building_detail, name="building"),
    path("buildings/<int:pk>/sheet/", views.building_sheet, name="building_sheet"),
    path(
        "communities/<int:pk>/walking-distances/",
        views.walking_distances,
        name="walking_distances",
    ),
    path("households/new/", views.household_create, name="household_create"),
    path("households/search/", views.household_search, name="household_search"),
    path("households/<int:pk>/", views.household_detail, name="household"),
    path("households/<int:pk>/edit/", views.household_edit, name="household_edit"),
]
