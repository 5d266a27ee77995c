from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.views.i18n import set_language as django_set_language

from frontline.accounts.access import public, signed_in

login = public(auth_views.LoginView.as_view())
logout = signed_in(auth_views.LogoutView.as_view())
password_change = signed_in(auth_views.PasswordChangeView.as_view())
password_change_done = signed_in(auth_views.PasswordChangeDoneView.as_view())


@public
def set_language(request: HttpRequest) -> HttpResponse:
    return django_set_language(request)
