from django.apps import AppConfig


class EnterpriseConfig(AppConfig):
    name = "fairinspect.enterprise"
    label = "enterprise"
    verbose_name = "企业端：本企业记录、内部自查与自我检查"
