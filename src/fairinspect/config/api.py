"""The JSON API under /api/v1/: each app contributes a router; errors share one shape.

Every refusal is a 4xx with {code, message, field} (and detail such as `reasons` where a
check refused), produced from the same DomainError the HTML views use.
"""

import json
import re

from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.responses import NinjaJSONEncoder

from fairinspect.audit.api import router as audit_router
from fairinspect.cases.api import router as cases_router
from fairinspect.cases.api_repair import router as repair_router
from fairinspect.catalog.api import router as catalog_router
from fairinspect.core.apidocs import VendoredSwagger
from fairinspect.core.errors import DomainError, NotFound
from fairinspect.core.schemas import ReasonOut, located, message_for
from fairinspect.enterprise.api import router as enterprise_router
from fairinspect.experts.api import router as experts_router
from fairinspect.monitoring.api import router as monitoring_router
from fairinspect.planning.api import router as planning_router
from fairinspect.portal.api import router as portal_router
from fairinspect.registry.api import auth_router, bearer
from fairinspect.registry.api import router as registry_router
from fairinspect.supervision.api import router as supervision_router
from fairinspect.visits.api import router as visits_router
from fairinspect.visits.api_field import router as visits_field_router

# `fairinspect.visits.api.checkin` -> `fairinspect.visits.api` (split packages, see above).
_API_PACKAGE = re.compile(r"^(fairinspect\.\w+\.api)\.\w+$")

# The one error shape every refusal has; extra detail (`reasons`, `errors`) may follow.
ERROR_SCHEMA = {
    "title": "ApiError",
    "type": "object",
    "required": ["code", "message", "field"],
    "properties": {
        "code": {"type": "string"},
        "message": {"type": "string"},
        "field": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        "reasons": {"type": "array", "items": {"$ref": "#/components/schemas/ReasonOut"}},
        "errors": {"type": "array"},
    },
}


class FairinspectAPI(NinjaAPI):
    """The OpenAPI document declares, on every operation, the refusals any operation can
    give in the common shape: 401 (token missing or expired) wherever a token is needed, 403
    and 404 (the access functions every view calls), 422 wherever there is input, 400 (a
    body that is not JSON) wherever there is a body. Each operation declares its own 409s
    and success bodies. With this the fuzz test validates every response body against the
    document."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        # Built once per process and path prefix: the routes never change while a process
        # runs, and building the document took ~0.4 s per request.
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        cache = self.__dict__.setdefault("_openapi_cache", {})
        if path_prefix not in cache:
            cache[path_prefix] = self._declare_refusals(
                super().get_openapi_schema(path_prefix=path_prefix)
            )
        return cache[path_prefix]

    def _get_urls(self):
        # ninja answers /openapi.json by serialising the (cached) document on every request,
        # ~56 ms for this API; serve the serialised bytes, made once per process and prefix.
        return [
            path(self.openapi_url.lstrip("/"), self._openapi_json, name="openapi-json")
            if getattr(url, "name", None) == "openapi-json" and self.openapi_url
            else url
            for url in super()._get_urls()
        ]

    def _openapi_json(self, request: HttpRequest, **kwargs) -> HttpResponse:
        prefix = self.get_root_path(kwargs)
        cache = self.__dict__.setdefault("_openapi_bytes", {})
        if prefix not in cache:
            document = self.get_openapi_schema(path_prefix=prefix)
            cache[prefix] = json.dumps(document, cls=NinjaJSONEncoder).encode()
        return HttpResponse(cache[prefix], content_type="application/json")

    def get_openapi_operation_id(self, operation) -> str:
        """`<module>_<function>` as ninja names it, with an app's api package counted as its
        api module: tools/split_api.py moves `visits/api.py` into `visits/api/<section>.py`,
        and the document (and every client generated from it) stays the same."""
        module = _API_PACKAGE.sub(r"\1", operation.view_func.__module__)
        return f"{module}_{operation.view_func.__name__}".replace(".", "_")

    @staticmethod
    def _declare_refusals(schema):
        schemas = schema["components"].setdefault("schemas", {})
        schemas["ApiError"] = ERROR_SCHEMA
        # The one shape of a reason (core.schemas.ReasonOut), which ApiError's `reasons` name.
        schemas.setdefault("ReasonOut", ReasonOut.model_json_schema())
        ref = {
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ApiError"}}}
        }
        for item in schema["paths"].values():
            for op in item.values():
                # ninja keys declared responses by int; JSON keys are strings, so one key per
                # status (an int and a str 403 would be a duplicated key in the document).
                responses = {str(k): v for k, v in op.get("responses", {}).items()}
                op["responses"] = responses
                codes = ["403", "404"]
                if op.get("security"):
                    codes.append("401")
                if op.get("parameters") or op.get("requestBody"):
                    codes.append("422")
                if op.get("requestBody"):
                    codes.append("400")  # a body that is not JSON at all
                for code in codes:
                    responses.setdefault(code, {"description": "拒绝（统一错误格式）", **ref})
        return schema


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
api.add_router("/", visits_field_router)
api.add_router("/", planning_router)
api.add_router("/", cases_router)
api.add_router("/", audit_router)
api.add_router("/", monitoring_router)
api.add_router("/", supervision_router)
api.add_router("/", enterprise_router)
api.add_router("/", repair_router)
api.add_router("/", experts_router)
api.add_router("/", portal_router)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(NinjaValidationError)
def validation_error(request: HttpRequest, exc: NinjaValidationError):
    """A wrong type or a missing field: 422 naming the field exactly as the caller wrote it
    (`justification.date`, `data.paused_days`, `lines.0.grade`; a query or path parameter by
    its name), never coerced and never a server error."""
    errors = [_one(request, e) for e in exc.errors]
    first = errors[0] if errors else {"field": "", "message": "格式不正确"}
    field = first["field"] or None
    return api.create_response(
        request,
        {
            "code": "invalid",
            "field": field,
            "message": f"{field or '请求'}: {first['message']}",
            "errors": errors,
        },
        status=422,
    )


def _one(request: HttpRequest, error: dict) -> dict[str, str]:
    loc = list(error.get("loc", []))
    source = loc.pop(0) if loc else ""
    body = None
    if source == "body":
        if loc and loc[0] == "payload":
            loc.pop(0)
        body = _json_body(request)
    elif source in ("query", "path", "form", "file", "header", "cookie") and loc:
        return {"field": str(loc[-1]), "message": _zh(error)}
    return located(error, loc, body)


def _json_body(request: HttpRequest):
    try:
        return json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return None


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


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404):
    """`get_object_or_404` in a view: the common shape, like access's NotFound."""
    return api.create_response(request, NotFound().as_dict(), status=404)


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


def _zh(error: dict) -> str:
    return message_for(error)
