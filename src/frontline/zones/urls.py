from django.urls import path

from frontline.zones import views

app_name = "zones"
urlpatterns = [
    path("", views.board, name="board"),
    path("positions/", views.positions, name="positions"),
    path("summary/", views.summary, name="summary"),
    path("due/", views.due, name="due"),
    path("buildings/<int:pk>/", views.building, name="building"),
    path("buildings/<int:pk>/raise/", views.building_raise, name="building_raise"),
    path("<int:pk>/step-down/", views.zone_step_down, name="zone_step_down"),
    path("<int:pk>/lift/", views.zone_lift, name="zone_lift"),
]
