from django.urls import path

from frontline.residents import views

app_name = "residents"
urlpatterns = [
    path("", views.resident_list, name="list"),
    path("new/", views.resident_create, name="create"),
    path("export/", views.resident_export, name="export"),
    path("<int:pk>/", views.resident_detail, name="detail"),
    path("<int:pk>/edit/", views.resident_edit, name="edit"),
    path("<int:pk>/move/", views.resident_move, name="move"),
    path("<int:pk>/move-out/", views.resident_move_out, name="move_out"),
    path("<int:pk>/reveal/", views.resident_reveal, name="reveal"),
]
