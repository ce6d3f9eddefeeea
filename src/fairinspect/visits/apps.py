from django.apps import AppConfig


class VisitsConfig(AppConfig):
    name = "fairinspect.visits"
    label = "visits"
    verbose_name = "扫码入企与现场检查"
