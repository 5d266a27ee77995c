from django.urls import path

from frontline.sampling import views

app_name = "sampling"
urlpatterns = [
    path("", views.round_list, name="list"),
    path("new/", views.round_new, name="new"),
    path("advice/", views.pool_advice, name="advice"),
    path("results/", views.results, name="results"),
    path("<int:pk>/", views.round_detail, name="detail"),
    path("<int:pk>/sites/", views.site_new, name="site_new"),
    path("<int:pk>/sample/", views.sample_page, name="sample"),
    path("<int:pk>/sample/scan/", views.scan, name="scan"),
    path("<int:pk>/sample/undo/", views.undo, name="undo"),
    path("<int:pk>/sample/close/", views.close, name="close"),
    path("<int:pk>/plan/", views.plan_page, name="plan"),
    path("<int:pk>/plan/send/", views.plan_send, name="plan_send"),
    path("<int:pk>/report/", views.round_report, name="report"),
    path("<int:pk>/coverage/", views.coverage_page, name="coverage"),
    path("<int:pk>/missing/", views.missing, name="missing"),
    path("<int:pk>/exempt/", views.exempt, name="exempt"),
    path("tubes/<int:pk>/", views.tube_detail, name="tube"),
]
