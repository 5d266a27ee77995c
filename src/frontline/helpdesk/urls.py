from django.urls import path

from frontline.helpdesk import views

app_name = "helpdesk"
urlpatterns = [
    path("", views.request_list, name="list"),
    path("urgent/", views.urgent_banner, name="urgent_banner"),
    path("<int:pk>/", views.request_detail, name="detail"),
    path("<int:pk>/step/", views.request_step, name="step"),
    path("<int:pk>/photo/", views.request_photo, name="photo"),
    path("residents/<int:pk>/new/", views.resident_request_new, name="resident_new"),
    path("settings/", views.settings_list, name="settings_list"),
    path("settings/<int:pk>/", views.settings_edit, name="settings"),
]
