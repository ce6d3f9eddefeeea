"""Constants the case services share."""

from __future__ import annotations

AUTHORITY = "乌鲁木齐市应急管理局"
DECIDED_STATUSES = ("decided", "served", "executed", "closed")
