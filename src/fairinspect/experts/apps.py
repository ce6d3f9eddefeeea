from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExpertsConfig(AppConfig):
    name = "fairinspect.experts"
    verbose_name = _("执法检查专家库")
