from django.urls import path

from frontline.contacts import views

app_name = "contacts"
urlpatterns = [
    path("", views.case_list, name="cases"),
    path("new/", views.case_create, name="case_create"),
    path("residents/", views.resident_search, name="resident_search"),
    path("summary/", views.summary, name="summary"),
    path("<int:pk>/", views.case_detail, name="case"),
    path("<int:pk>/graph/", views.case_graph, name="case_graph"),
    path("<int:pk>/print/", views.case_print, name="case_print"),
    path("<int:pk>/links/new/", views.link_create, name="case_link_create"),
    path("<int:pk>/links/import/", views.case_import, name="case_import"),
]
