"""The change log between two versions of the inspection-item list (R2.2)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class ChangeKind(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    MODIFIED = "modified"


@dataclass(frozen=True)
class ItemChange:
    kind: ChangeKind
    code: str
    name: str
    fields: tuple[str, ...] = ()


def diff_items(
    old: Mapping[str, Mapping[str, Any]], new: Mapping[str, Mapping[str, Any]]
) -> tuple[ItemChange, ...]:
    """Items keyed by code; each item a mapping of field → value (with a "name")."""
    changes: list[ItemChange] = []
    for code in sorted(old.keys() | new.keys()):
        if code not in old:
            changes.append(ItemChange(ChangeKind.ADDED, code, str(new[code].get("name", ""))))
        elif code not in new:
            changes.append(ItemChange(ChangeKind.REMOVED, code, str(old[code].get("name", ""))))
        else:
            fields = tuple(
                sorted(
                    k
                    for k in old[code].keys() | new[code].keys()
                    if old[code].get(k) != new[code].get(k)
                )
            )
            if fields:
                changes.append(
                    ItemChange(ChangeKind.MODIFIED, code, str(new[code].get("name", "")), fields)
                )
    return tuple(changes)
