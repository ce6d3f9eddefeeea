"""The public checkpoints: anyone may read and download them (no login), so a copy of the
signed heads exists outside the database."""

from __future__ import annotations

import json

from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render

from fairinspect.core import paging

from . import queries
from .checkpoints import as_json


def public_checkpoints(request):
    page = paging.paginate(request, queries.checkpoints(), scope="audit.checkpoints", per_page=50)
    return render(request, "audit/checkpoints.html", {"page": page})


def _export():
    yield '{"format": "fairinspect.audit.checkpoints/1", "checkpoints": [\n'
    first = True
    for cp in queries.checkpoints().order_by("seq").iterator(chunk_size=1000):
        yield ("" if first else ",\n") + json.dumps(as_json(cp), ensure_ascii=False)
        first = False
    yield "\n]}\n"


def public_checkpoints_json(request) -> HttpResponse | StreamingHttpResponse:
    response = StreamingHttpResponse(_export(), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit-checkpoints.json"'
    return response
