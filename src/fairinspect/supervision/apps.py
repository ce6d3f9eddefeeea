from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "fairinspect.supervision"
    label = "supervision"
    verbose_name = "执法监督"

    def ready(self) -> None:
        # An accepted complaint about an enterprise is the record an exempt inspection rests
        # on (R3.3); visits finds it through its registry without importing supervision.
        from fairinspect.rules.caps import JustificationKind
        from fairinspect.visits import justifications

        from .leads import resolve_complaint

        justifications.register(JustificationKind.COMPLAINT_RECORD, resolve_complaint)
