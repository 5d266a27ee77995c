from django.urls import path

from frontline.supplies import views

app_name = "supplies"
urlpatterns = [
    path("", views.home, name="home"),
    path("items/", views.item_list, name="items"),
    path("items/new/", views.item_create, name="item_create"),
    path("items/<int:pk>/", views.item_edit, name="item_edit"),
    path("storerooms/new/", views.warehouse_create, name="warehouse_create"),
    path("storerooms/<int:pk>/", views.warehouse_detail, name="warehouse"),
    path("storerooms/<int:pk>/edit/", views.warehouse_edit, name="warehouse_edit"),
    path("storerooms/<int:pk>/ledger/", views.ledger, name="ledger"),
    path("storerooms/<int:pk>/receive/", views.receive, name="receive"),
    path("storerooms/<int:pk>/issue/", views.issue, name="issue"),
    path("storerooms/<int:pk>/stocktake/", views.stocktake, name="stocktake"),
    path("movements/<int:pk>/", views.movement_detail, name="movement"),
    path("movements/<int:pk>/receipt/", views.donation_receipt, name="receipt"),
]
