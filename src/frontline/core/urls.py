from django.urls import path

from frontline.core import views

urlpatterns = [path("", views.audit_list, name="audit")]
