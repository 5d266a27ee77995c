from django.urls import path

from frontline.care import views

app_name = "care"
urlpatterns = [
    path("", views.screening_list, name="screenings"),
    path("screenings/<int:pk>/", views.screening_detail, name="screening"),
    path("residents/<int:pk>/", views.resident_screenings, name="resident"),
    path("residents/<int:pk>/screen/", views.resident_screen, name="resident_screen"),
    path("residents/<int:pk>/open-case/", views.resident_case_open, name="resident_case_open"),
    path("cases/", views.case_list, name="cases"),
    path("caseload/", views.caseload, name="caseload"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/notes/", views.case_notes, name="case_notes"),
    path("cases/<int:pk>/change/", views.case_change, name="case_change"),
    path("settings/", views.settings_list, name="settings_list"),
    path("settings/<int:pk>/", views.settings_edit, name="settings"),
]
