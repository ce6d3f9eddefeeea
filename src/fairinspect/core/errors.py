"""Domain errors: one type the HTML views and the API both map to a 4xx answer.

Every refusal carries a stable English `code`, a Chinese `message` a person can act on, and,
where one field is at fault, the `field` name; `extra` carries structured detail (the reasons
of a refused check-in, the rows of a refused import).
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status = 400

    def __init__(
        self,
        code: str,
        message: str,
        *,
        field: str | None = None,
        extra: dict[str, Any] | None = None,
    ):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.extra = extra or {}

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "field": self.field, **self.extra}


class ValidationFailed(DomainError):
    status = 422


class NotFound(DomainError):
    status = 404

    def __init__(self, message: str = "未找到该记录，或您无权查看。", **kw: Any):
        super().__init__("not_found", message, **kw)


class Forbidden(DomainError):
    status = 403

    def __init__(self, message: str = "您没有执行此操作的权限。", **kw: Any):
        super().__init__("forbidden", message, **kw)


class Conflict(DomainError):
    status = 409


def field_errors_to_error(errors: dict[str, list[str]]) -> ValidationFailed:
    """Turn a Django form's errors into one ValidationFailed naming the first bad field."""
    field, messages = next(iter(errors.items()))
    all_fields = {name: [str(m) for m in msgs] for name, msgs in errors.items()}
    label = "" if field == "__all__" else f"{field}: "
    return ValidationFailed(
        "invalid",
        f"{label}{messages[0]}",
        field=None if field == "__all__" else field,
        extra={"errors": all_fields},
    )
