"""Check-out with a major hazard (issue 12, R6.4).

Source: 《中华人民共和国安全生产法》(2021) 第六十五条第一款第（三）项 (as we read the published
text: a hazard found on inspection is to be ordered eliminated at once; for a 重大事故隐患 the
officers order the workers out of the danger area and a suspension where safety cannot be
ensured). That the order (or a penalty case) must exist before the team leaves is this
system's procedure, chosen so a major hazard never leaves the site without a written
decision; it is not a quotation of the law, and the bureau's legal section should confirm
the wording."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .results import Reason


@dataclass(frozen=True, slots=True)
class HazardState:
    hazard_id: str
    description: str
    major: bool
    has_order: bool
    has_case: bool


def checkout_refusals(hazards: Sequence[HazardState]) -> tuple[Reason, ...]:
    """The reasons check-out is refused: one per major hazard with neither order nor case."""
    return tuple(
        Reason(
            "major_hazard_without_order",
            f"重大事故隐患“{h.description[:30]}”尚未下达整改指令或立案，不能离企："
            "请先下达责令限期整改指令书（或立案）。",
        )
        for h in hazards
        if h.major and not (h.has_order or h.has_case)
    )
