"""Writes for monitoring: ingestion, warnings and their disposal, points and credentials.

Everything is importable from `fairinspect.monitoring.services`."""

from .ingest import IngestResult, Message, Problem, RawReading, ingest, ingest_many  # noqa: F401
from .offsite import record_offsite_method  # noqa: F401
from .points import (  # noqa: F401
    create_point,
    credential_for_key,
    hash_key,
    issue_credential,
    update_point,
)
from .warnings import (  # noqa: F401
    acknowledge,
    apply_conditions,
    escalate_overdue,
    limits_of,
    report_action,
    review,
    sweep_stale,
)
