from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "fairinspect.planning"
    label = "planning"
    verbose_name = "计划与抽查"
