"""The records that justify an exempt visit (R3.3), found by kind and reference.

An exempt trigger (complaint, referral, monitoring warning, the enterprise's application, a
follow-up of an order) must rest on a record that exists in the system. Each kind of record
lives in the app that owns it; that app registers a resolver here in its `AppConfig.ready()`,
so visits never imports supervision or monitoring (design.md: imports point down):

    from fairinspect.rules.caps import JustificationKind
    from fairinspect.visits import justifications

    justifications.register(JustificationKind.COMPLAINT_RECORD, resolve_complaint)

A resolver takes the reference as the user typed it and returns the `JustifyingRecord` it
names, or None when it names nothing. Whether that record may justify this visit (same
enterprise, dated before the visit, not used up) is decided by the pure rule in `rules/`,
never by the resolver.
"""

from __future__ import annotations

from collections.abc import Callable

from fairinspect.rules.caps import JustificationKind

# The record type is a pure value, defined beside the rule that judges it; importing it from
# here (justifications.JustifyingRecord) stays the interface for the apps' resolvers.
from fairinspect.rules.exemptions import JustifyingRecord

__all__ = ["JustifyingRecord", "Resolver", "register", "registered_kinds", "resolve"]


Resolver = Callable[[str], JustifyingRecord | None]

_RESOLVERS: dict[JustificationKind, Resolver] = {}


def register(kind: JustificationKind, resolver: Resolver) -> None:
    """Called once per kind from the owning app's `ready()`."""
    _RESOLVERS[JustificationKind(kind)] = resolver


def registered_kinds() -> frozenset[JustificationKind]:
    return frozenset(_RESOLVERS)


def resolve(kind: JustificationKind | str, reference: str) -> JustifyingRecord | None:
    """The record named by (kind, reference), or None when no such record exists or no app
    has registered that kind yet."""
    resolver = _RESOLVERS.get(JustificationKind(kind))
    if resolver is None:
        return None
    return resolver(reference.strip())
