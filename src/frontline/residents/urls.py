from django.urls import path

from frontline.residents import import_views, views

app_name = "residents"
urlpatterns = [
    path("", views.resident_list, name="list"),
    path("new/", views.resident_create, name="create"),
    path("export/", views.resident_export, name="export"),
    path("import/", import_views.roster_upload, name="import"),
    path("import/<int:pk>/", import_views.roster_preview, name="import_preview"),
    path("import/<int:pk>/confirm/", import_views.roster_commit, name="import_commit"),
    path("import/<int:pk>/cancel/", import_views.roster_cancel, name="import_cancel"),
    path("import/<int:pk>/errors.xlsx", import_views.roster_errors, name="import_errors"),
    path("<int:pk>/", views.resident_detail, name="detail"),
    path("<int:pk>/edit/", views.resident_edit, name="edit"),
    path("<int:pk>/move/", views.resident_move, name="move"),
    path("<int:pk>/move-out/", views.resident_move_out, name="move_out"),
    path("<int:pk>/reveal/", views.resident_reveal, name="reveal"),
]
