"""Supervision's own records. The audit trail moved down to `fairinspect.audit`
(migration 0002_audit_moves_out), so that supervision can sit on top of the apps it reads."""
