from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from frontline.api import api

admin.site.site_header = "Frontline"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("frontline.reports.urls")),
    path("accounts/", include("frontline.accounts.urls")),
    path("places/", include("frontline.places.urls")),
    path("residents/", include("frontline.residents.urls")),
    path("tasks/", include("frontline.tasks.urls")),
    path("health/", include("frontline.health.urls")),
    path("travel/", include("frontline.travel.urls")),
    path("contacts/", include("frontline.contacts.urls")),
    path("control/", include("frontline.control.urls")),
    path("zones/", include("frontline.zones.urls")),
    path("policy/", include("frontline.policy.urls")),
    path("sampling/", include("frontline.sampling.urls")),
    path("care/", include("frontline.care.urls")),
    path("helpdesk/", include("frontline.helpdesk.urls")),
    path("outreach/", include("frontline.outreach.urls")),
    path("supplies/", include("frontline.supplies.urls")),
    path("deliveries/", include("frontline.deliveries.urls")),
    path("medicine/", include("frontline.medicine.urls")),
    path("h/", include("frontline.portal.urls")),
    path("audit/", include("frontline.core.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
