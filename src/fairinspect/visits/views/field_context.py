"""What the visit page adds for the phone (issue 12): proof of presence and the evidence
chain. Filled in by later steps; kept apart so visit_page.py stays small."""

from __future__ import annotations


def field_context(request, v) -> dict:
    return {}
