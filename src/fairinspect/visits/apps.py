from django.apps import AppConfig


class VisitsConfig(AppConfig):
    name = "fairinspect.visits"
    label = "visits"
    verbose_name = "扫码入企与现场检查"

    def ready(self) -> None:
        # The records visits owns can justify exempt visits (R3.3); complaints and
        # monitoring warnings are registered by their own apps.
        from . import resolvers

        resolvers.register_all()
