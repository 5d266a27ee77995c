from django.urls import path

from frontline.outreach import views

app_name = "outreach"
urlpatterns = [
    path("", views.notice_list, name="notices"),
    path("new/", views.notice_create, name="notice_create"),
    path("<int:pk>/", views.notice_detail, name="notice"),
    path("<int:pk>/send/", views.notice_send, name="notice_send"),
    path("<int:pk>/retry/", views.notice_retry, name="notice_retry"),
    path("<int:pk>/attach/", views.notice_attach, name="notice_attach"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("attachments/<int:pk>/remove/", views.attachment_remove, name="attachment_remove"),
    path("<int:pk>/acknowledgements/", views.notice_report, name="report"),
    path("<int:pk>/door-to-door/", views.notice_door_to_door, name="door_to_door"),
    path("<int:pk>/read-at-door/", views.notice_read_at_door, name="read_at_door"),
    path("<int:pk>/flyer/", views.notice_flyer, name="flyer"),
    path("settings/<int:pk>/", views.settings_edit, name="settings"),
    path("lectures/", views.lecture_list, name="lectures"),
    path("lectures/<int:pk>/", views.lecture_detail, name="lecture"),
    path("lectures/<int:pk>/register/", views.lecture_register, name="lecture_register"),
    path("lectures/<int:pk>/attendance/", views.lecture_attendance, name="lecture_attendance"),
]
