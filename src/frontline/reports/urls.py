from django.urls import path

from frontline.reports import views

urlpatterns = [
    path("", views.home, name="home"),
    path("overview/", views.overview, name="overview"),
    path("report/daily/", views.daily, name="daily_report"),
    path("report/daily.xlsx", views.daily_xlsx, name="daily_report_xlsx"),
]
