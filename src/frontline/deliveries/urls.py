from django.urls import path

from frontline.deliveries import purchase_views, views

app_name = "deliveries"
urlpatterns = [
    path("", views.round_list, name="rounds"),
    path("new/", views.round_new, name="round_new"),
    path("<int:pk>/", views.round_detail, name="round"),
    path("<int:pk>/edit/", views.round_edit, name="round_edit"),
    path("<int:pk>/preview/", views.round_preview, name="round_preview"),
    path("<int:pk>/start/", views.round_start, name="round_start"),
    path("<int:pk>/close/", views.round_close, name="round_close"),
    path("<int:pk>/batches/", views.round_batches, name="round_batches"),
    path("batches/<int:pk>/", views.batch_detail, name="batch"),
    path("batches/<int:pk>/route/", views.batch_route, name="batch_route"),
    path("batches/<int:pk>/assign/", views.batch_assign, name="batch_assign"),
    path("mine/", views.my_deliveries, name="mine"),
    path("parcels/<int:pk>/mark/", views.delivery_mark, name="delivery_mark"),
    path("parcels/<int:pk>/photo/", views.delivery_photo, name="delivery_photo"),
    path("purchases/", purchase_views.purchase_list, name="purchases"),
    path("purchases/new/", purchase_views.purchase_new, name="purchase_new"),
    path("purchases/<int:pk>/", purchase_views.purchase_detail, name="purchase"),
    path("purchases/<int:pk>/edit/", purchase_views.purchase_edit, name="purchase_edit"),
    path("purchases/<int:pk>/close/", purchase_views.purchase_close, name="purchase_close"),
    path("purchases/<int:pk>/totals/", purchase_views.purchase_totals, name="purchase_totals"),
    path("purchases/<int:pk>/arrival/", purchase_views.purchase_arrival, name="purchase_arrival"),
]
