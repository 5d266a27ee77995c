from django.urls import URLPattern

app_name = "control"
urlpatterns: list[URLPattern] = []
