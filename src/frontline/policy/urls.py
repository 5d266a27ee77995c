from django.urls import path

from frontline.policy import views

app_name = "policy"
urlpatterns = [
    path("", views.rule_set_list, name="list"),
    path("<int:pk>/", views.rule_set_detail, name="detail"),
    path("<int:pk>/schedule/", views.rule_set_schedule, name="schedule"),
    path("<int:pk>/copy/", views.rule_set_copy, name="copy"),
    path("<int:pk>/edit/", views.rule_set_edit, name="edit"),
    path("<int:pk>/zones/", views.rule_set_zones, name="zones"),
    path("<int:pk>/publish/", views.rule_set_publish, name="publish"),
]
