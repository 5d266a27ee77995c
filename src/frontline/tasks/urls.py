from django.urls import path

from frontline.tasks import views

app_name = "tasks"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/", views.task_detail, name="detail"),
    path("<int:pk>/take/", views.task_take, name="take"),
    path("<int:pk>/finish/", views.task_finish, name="finish"),
    path("<int:pk>/cancel/", views.task_cancel, name="cancel"),
    path("<int:pk>/hand-over/", views.task_hand_over, name="hand_over"),
]
