from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "fairinspect.monitoring"
    label = "monitoring"
    verbose_name = "监测预警与非现场监管"

    def ready(self) -> None:
        # A serious warning is the record an exempt visit rests on (R3.3); visits never
        # imports monitoring, so the resolver is registered from here.
        from fairinspect.rules.caps import JustificationKind
        from fairinspect.visits import justifications

        from .justification import resolve_warning

        justifications.register(JustificationKind.MONITORING_WARNING, resolve_warning)
