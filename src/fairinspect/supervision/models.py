"""Supervision's own records. The audit trail moved down to `fairinspect.audit`
(migration 0002_audit_moves_out), so that supervision can sit on top of the apps it reads.

Complaints, breaches, case-file review and training live in their own modules (issue 9)."""

from .models_complaints import (  # noqa: F401
    Complaint,
    ComplaintAttachment,
    ComplaintStep,
    ConductCase,
)
from .models_oversight import (  # noqa: F401
    Breach,
    CaseReview,
    CertificateAuditRun,
    DetectionRun,
    EnterpriseLocation,
    ReviewFinding,
    ReviewPlan,
    TrainingRecord,
    TrainingRequirement,
)
