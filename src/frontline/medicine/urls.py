from django.urls import path

from frontline.medicine import views

app_name = "medicine"
urlpatterns = [
    path("", views.request_list, name="list"),
    path("plan/", views.run_plan, name="plan"),
    path("<int:pk>/", views.request_detail, name="detail"),
    path("<int:pk>/step/", views.request_step, name="step"),
    path("<int:pk>/prescription/", views.prescription, name="prescription"),
    path("residents/<int:pk>/new/", views.resident_request_new, name="resident_new"),
    path("runs/", views.run_list, name="runs"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/collect/", views.run_collect, name="run_collect"),
]
