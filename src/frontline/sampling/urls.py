from django.urls import URLPattern

app_name = "sampling"
urlpatterns: list[URLPattern] = []
