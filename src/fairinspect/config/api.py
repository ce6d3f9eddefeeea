"""The JSON API under /api/v1/: each app contributes a router; errors share one shape.

Every refusal is a 4xx with {code, message, field} (and detail such as `reasons` where a
check refused), produced from the same DomainError the HTML views use.
"""

from django.db import DataError
from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from fairinspect.audit.api import router as audit_router
from fairinspect.cases.api import router as cases_router
from fairinspect.catalog.api import router as catalog_router
from fairinspect.core.apidocs import VendoredSwagger
from fairinspect.core.errors import DomainError
from fairinspect.monitoring.api import router as monitoring_router
from fairinspect.planning.api import router as planning_router
from fairinspect.registry.api import auth_router, bearer
from fairinspect.registry.api import router as registry_router
from fairinspect.supervision.api import router as supervision_router
from fairinspect.visits.api import router as visits_router


class FairinspectAPI(NinjaAPI):
    """The OpenAPI document is built once per process and path prefix: the routes never
    change while a process runs, and building the document took ~0.4 s per request."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        cache = self.__dict__.setdefault("_openapi_cache", {})
        if path_prefix not in cache:
            cache[path_prefix] = super().get_openapi_schema(path_prefix=path_prefix)
        return cache[path_prefix]


api = FairinspectAPI(
    title="fairinspect API",
    version="1",
    description="公正执法检查系统接口。认证：POST /api/v1/auth/token 取得令牌，"
    "之后在请求头中携带 Authorization: Bearer <token>。",
    urls_namespace="api-v1",
    auth=bearer,
    docs=VendoredSwagger(),
)

api.add_router("/auth", auth_router)
api.add_router("/", registry_router)
api.add_router("/", catalog_router)
api.add_router("/", visits_router)
api.add_router("/", planning_router)
api.add_router("/", cases_router)
api.add_router("/", audit_router)
api.add_router("/", monitoring_router)
api.add_router("/", supervision_router)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(NinjaValidationError)
def validation_error(request: HttpRequest, exc: NinjaValidationError):
    first = exc.errors[0] if exc.errors else {}
    loc = [str(p) for p in first.get("loc", []) if p not in ("body", "payload", "query", "path")]
    field = ".".join(loc) or None
    return api.create_response(
        request,
        {
            "code": "invalid",
            "field": field,
            "message": f"{field or '请求'}: {_zh(first)}",
            "errors": [
                {"field": ".".join(str(p) for p in e.get("loc", [])[1:]), "message": _zh(e)}
                for e in exc.errors
            ],
        },
        status=422,
    )


@api.exception_handler(OverflowError)
@api.exception_handler(DataError)
def out_of_range(request: HttpRequest, exc: Exception):
    """A number too large for the database column (an id or amount typed wrong): the
    caller's input, not a server fault."""
    return api.create_response(
        request,
        {"code": "out_of_range", "message": "数值超出允许范围。", "field": None},
        status=422,
    )


@api.exception_handler(AuthenticationError)
def auth_error(request: HttpRequest, exc: AuthenticationError):
    return api.create_response(
        request,
        {"code": "unauthenticated", "message": "请先登录或提供有效的访问令牌。", "field": None},
        status=401,
    )


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError):
    return api.create_response(
        request, {"code": "http_error", "message": str(exc), "field": None}, status=exc.status_code
    )


_TYPE_MESSAGES = {
    "missing": "必填项缺失",
    "string_type": "应为字符串",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "bool_parsing": "应为布尔值（true/false）",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "literal_error": "取值不在允许范围内",
    "enum": "取值不在允许范围内",
    "string_too_long": "过长",
    "string_too_short": "不能为空",
    "json_invalid": "请求体不是合法的 JSON",
    "model_attributes_type": "请求体应为 JSON 对象",
    "list_type": "应为数组",
    "decimal_parsing": "应为数字",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
}


def _zh(error: dict) -> str:
    return _TYPE_MESSAGES.get(error.get("type", ""), error.get("msg", "格式不正确"))
