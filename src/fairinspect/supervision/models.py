from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One change to a record, chained by SHA-256 to the one before (R8.5).

    Each event's hash covers its own content and the previous event's hash, so editing or
    deleting any stored event breaks every hash after it: `verify_chain` finds the first.
    """

    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, verbose_name=_("操作人")
    )
    actor_name = models.CharField(_("操作人姓名"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=50)
    object_type = models.CharField(_("对象类型"), max_length=50)
    object_id = models.CharField(_("对象"), max_length=64)
    summary = models.CharField(_("摘要"), max_length=300)
    data = models.JSONField(_("内容"), default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_type}:{self.object_id}"


# Complaints, breaches, case-file review and training live in their own modules (issue 9).
from .models_complaints import (  # noqa: E402, F401
    Complaint,
    ComplaintAttachment,
    ComplaintStep,
    ConductCase,
)
from .models_oversight import (  # noqa: E402, F401
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
