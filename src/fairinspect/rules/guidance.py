"""Which compliance guidance a visit gives (R2.4, 谁执法谁普法) and what every entry into an
enterprise is (R8.6, 严禁变相检查).

Guidance: an entry of the published compliance guidance list applies to a visit when the
enterprise's industry falls under it (an entry with no industries applies to every industry)
AND it concerns the visit's items or a violation or item found at the enterprise before.
An entry that matches the industry alone is not proposed: the officers explain what they
inspect and what went wrong before, not the whole list. Each proposal says why.

Entries: whatever a visit by bureau staff to an enterprise's premises is called — 观摩, 督导,
考察, 调研, 帮扶 — it is an on-site inspection: it needs the same plan, officers and check-in,
and counts against the cap unless an exemption applies. The labels are data
(visits/data/entry_kinds.json); this rule only refuses a label that is not in that data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .results import FieldError, Reason


@dataclass(frozen=True)
class GuidanceEntryFacts:
    code: str
    name: str
    industries: tuple[str, ...]  # GB/T 4754 prefixes; empty: every industry
    item_codes: tuple[str, ...]
    violation_codes: tuple[str, ...]


@dataclass(frozen=True)
class GuidanceProposal:
    code: str
    name: str
    reasons: tuple[Reason, ...]


def industry_applies(entry: GuidanceEntryFacts, industry_code: str) -> bool:
    return not entry.industries or any(industry_code.startswith(p) for p in entry.industries)


def propose_guidance(
    entries: Iterable[GuidanceEntryFacts],
    *,
    industry_code: str,
    item_codes: Iterable[str],
    past_item_codes: Iterable[str] = (),
    past_violation_codes: Iterable[str] = (),
) -> tuple[GuidanceProposal, ...]:
    """The entries to explain at this visit, in list order, each with its reasons.

    `past_item_codes`: items found non-compliant at the enterprise before;
    `past_violation_codes`: violations established in its cases."""
    items = set(item_codes)
    past_items = set(past_item_codes)
    past_violations = set(past_violation_codes)
    out: list[GuidanceProposal] = []
    for e in entries:
        if not industry_applies(e, industry_code):
            continue
        reasons: list[Reason] = []
        hit = sorted(items & set(e.item_codes))
        if hit:
            reasons.append(Reason("visit_item", f"本次检查事项{'、'.join(hit)}涉及此项合规要求。"))
        hit = sorted(past_items & set(e.item_codes))
        if hit:
            reasons.append(
                Reason("past_finding", f"该企业以往检查中{'、'.join(hit)}被认定为不符合。")
            )
        hit = sorted(past_violations & set(e.violation_codes))
        if hit:
            reasons.append(Reason("past_violation", f"该企业曾有违法行为{'、'.join(hit)}。"))
        if reasons:
            out.append(GuidanceProposal(e.code, e.name, tuple(reasons)))
    return tuple(out)


@dataclass(frozen=True)
class EntryKind:
    code: str
    label: str
    premises: bool  # the name always means going onto the premises (观摩, 督导 …)


def clean_entry_kind(
    value: str, kinds: Mapping[str, EntryKind], *, visit_kind: str, field: str = "entry_kind"
) -> tuple[EntryKind | None, FieldError | None]:
    """The entry kind named by `value` (its code or its label), or the error naming the field.

    Every kind is an on-site inspection (R8.6): the kind changes how the visit is labelled,
    never whether the plan, the officers, the check-in and the cap apply."""
    v = (value or "").strip()
    if not v:
        return None, FieldError(
            field, "required", "进入企业的名义：必填（如执法检查、督导、观摩）。"
        )
    for kind in kinds.values():
        if v in (kind.code, kind.label):
            if kind.premises and visit_kind != "on_site":
                return None, FieldError(
                    field,
                    "entry_is_on_site",
                    f"以“{kind.label}”名义进入企业即为现场检查（严禁变相检查），"
                    "应按现场检查安排、审批、扫码入企并计入年度频次。",
                )
            return kind, None
    allowed = "、".join(k.label for k in kinds.values())
    return None, FieldError(
        field, "entry_kind_unknown", f"进入企业的名义“{v}”不在名义清单中（可选：{allowed}）。"
    )
