from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "fairinspect.catalog"
    label = "catalog"
    verbose_name = "检查事项清单"
