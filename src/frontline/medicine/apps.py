from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MedicineConfig(AppConfig):
    name = "frontline.medicine"
    label = "medicine"
    verbose_name = _("Medicine runs")
