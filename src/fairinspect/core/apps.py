from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "fairinspect.core"
    label = "core"
    verbose_name = "基础"

    def ready(self) -> None:
        from . import worklist

        worklist.autodiscover()
