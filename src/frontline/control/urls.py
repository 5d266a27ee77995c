from django.urls import path

from frontline.control import views

app_name = "control"
urlpatterns = [
    path("", views.order_list, name="list"),
    path("print/", views.order_print, name="print"),
    path("new/", views.order_new, name="new"),
    path("evidence/", views.candidates, name="candidates"),
    path("<int:pk>/", views.order_detail, name="detail"),
    path("<int:pk>/document/", views.order_document, name="document"),
    path("<int:pk>/extend/", views.order_extend, name="extend"),
    path("<int:pk>/transfer/", views.order_transfer, name="transfer"),
    path("<int:pk>/release/", views.order_release, name="release"),
    path("rules/<int:pk>/", views.transition, name="transition"),
    path("rules/<int:pk>/impact/", views.transition_impact, name="transition_impact"),
    path("tests/<int:pk>/record/", views.test_record, name="test_record"),
]
