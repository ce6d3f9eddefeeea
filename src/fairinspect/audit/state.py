"""A record's state as stored: its concrete fields (foreign keys as ids), read from the
database, so the digest is of what was saved and not of an object in memory."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.apps import apps
from django.db import models

from fairinspect.rules.audit_hashing import canonical_dict


def model_for(object_type: str) -> type[models.Model] | None:
    """The model named by an event's object type ("registry.enterprise"), or None."""
    if "." not in object_type:
        return None
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _attnames(model: type[models.Model]) -> list[str]:
    """The stored fields, less those a model declares derived (`audit_derived_fields`: a
    value recomputed from other records after every change, such as a case's nearest
    deadline; never a value a person decides)."""
    derived = set(getattr(model, "audit_derived_fields", ()))
    return [f.attname for f in model._meta.concrete_fields if f.name not in derived]


def state_of(model: type[models.Model], pk: Any) -> dict[str, Any] | None:
    row = model._base_manager.filter(pk=pk).values(*_attnames(model)).first()
    return canonical_dict(row) if row is not None else None


def states_of(model: type[models.Model], pks: Iterable[Any]) -> Iterator[tuple[str, dict]]:
    """The stored rows of many records of one model, keyed by the pk as text (raw values:
    `state_digest` of a raw row equals that of its canonical form)."""
    pk_name = model._meta.pk.attname
    wanted = []
    for pk in pks:
        try:
            wanted.append(model._meta.pk.to_python(pk))
        except Exception:
            continue
    for row in model._base_manager.filter(pk__in=wanted).values(*_attnames(model)):
        yield str(row[pk_name]), row
