from django.urls import re_path

from frontline.care import portal_views as care
from frontline.deliveries import portal_views as deliveries
from frontline.deliveries import purchase_portal
from frontline.helpdesk import portal_views as helpdesk
from frontline.medicine import portal_views as medicine
from frontline.outreach import portal_views as outreach
from frontline.portal import views

app_name = "portal"
urlpatterns = [
    # /h/ explains how to get a link; /h/<token>/ is a household's page.
    re_path(r"^(?:(?P<token>[A-Za-z0-9_-]{10,64})/)?$", views.household, name="household"),
    re_path(r"^(?:(?P<token>[A-Za-z0-9_-]{10,64})/)?trips/$", views.household_trip, name="trip"),
    re_path(r"^(?:(?P<token>[A-Za-z0-9_-]{10,64})/)?care/$", care.screening, name="care"),
    re_path(
        r"^(?:(?P<token>[A-Za-z0-9_-]{10,64})/)?requests/$", helpdesk.requests, name="requests"
    ),
    re_path(r"^(?:(?P<token>[A-Za-z0-9_-]{10,64})/)?notices/$", outreach.notices, name="notices"),
    re_path(
        r"^(?:(?P<token>[A-Za-z0-9_-]{10,64})/)?notices/attachment/$",
        outreach.attachment,
        name="notice_attachment",
    ),
    re_path(
        r"^(?:(?P<token>[A-Za-z0-9_-]{10,64})/)?deliveries/$",
        deliveries.deliveries,
        name="deliveries",
    ),
    re_path(
        r"^(?:(?P<token>[A-Za-z0-9_-]{10,64})/)?purchases/$",
        purchase_portal.purchases,
        name="purchases",
    ),
    re_path(
        r"^(?:(?P<token>[A-Za-z0-9_-]{10,64})/)?medicine/$", medicine.medicine, name="medicine"
    ),
]
