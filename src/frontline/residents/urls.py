from django.urls import path

from frontline.residents import import_views, sweep_views, views

app_name = "residents"
urlpatterns = [
    path("", views.resident_list, name="list"),
    path("new/", views.resident_create, name="create"),
    path("export/", views.resident_export, name="export"),
    path("vulnerable/", views.vulnerable_list, name="vulnerable"),
    path("sweeps/", sweep_views.sweep_list, name="sweeps"),
    path("sweeps/<int:pk>/", sweep_views.sweep_detail, name="sweep"),
    path("sweeps/<int:pk>/close/", sweep_views.sweep_close, name="sweep_close"),
    path("sweeps/<int:pk>/buildings/<int:building_pk>/", sweep_views.sweep_walk, name="sweep_walk"),
    path(
        "sweeps/<int:pk>/households/<int:household_pk>/",
        sweep_views.sweep_visit,
        name="sweep_visit",
    ),
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
