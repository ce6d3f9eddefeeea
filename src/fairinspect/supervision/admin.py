"""The audit trail's admin moved with it to fairinspect/audit/admin.py."""
