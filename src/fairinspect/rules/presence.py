"""Proof of presence at check-in (issue 12, R6.1): how far the phone was from the
enterprise's registered location, and whether that is flagged for supervision.

Flagged, never blocked. The threshold is the supervision breach rule's own
(`rules.breaches.DEFAULT_THRESHOLDS.far_km`, 1.0 km), so the visit page and the supervisor's
breach list (`checkin_far`) say the same thing about the same check-in. Why 1 km and why not a
refusal: a phone's GPS fix indoors or between tanks and sheds is often off by 50–500 m (the
browser reports its own accuracy, shown beside the distance); a large plant's gate can be
several hundred metres from the point its address geocodes to; and no law or the seed makes
a location a condition of a lawful inspection (the conditions are the approved plan, two
certified officers and the cap: rules.entry). A refusal on a bad fix would stop a lawful
inspection at the gate; a flag lets a supervisor look at the few that are far.
"""

from __future__ import annotations

from dataclasses import dataclass

from .breaches import DEFAULT_THRESHOLDS, distance_km
from .results import Reason

# A fix whose own accuracy is worse than this cannot show the phone was (or was not) there.
POOR_ACCURACY_M = 1000.0


@dataclass(frozen=True, slots=True)
class Presence:
    known: bool  # both places known
    distance_m: float | None
    accuracy_m: float | None
    threshold_m: float
    flagged: bool
    reason: Reason


def judge_presence(
    checkin: tuple[float, float] | None,
    accuracy_m: float | None,
    registered: tuple[float, float] | None,
    *,
    far_km: float = DEFAULT_THRESHOLDS.far_km,
) -> Presence:
    threshold = far_km * 1000
    if checkin is None:
        return Presence(
            False,
            None,
            accuracy_m,
            threshold,
            False,
            Reason("no_checkin_location", "入企确认时未取得手机定位（不影响入企）。"),
        )
    if registered is None:
        return Presence(
            False,
            None,
            accuracy_m,
            threshold,
            False,
            Reason("no_registered_location", "企业尚未登记位置，无法比对入企定位。"),
        )
    m = distance_km(checkin[0], checkin[1], registered[0], registered[1]) * 1000
    acc = f"，定位精度约{accuracy_m:.0f}米" if accuracy_m is not None else ""
    if m > threshold:
        return Presence(
            True,
            m,
            accuracy_m,
            threshold,
            True,
            Reason(
                "checkin_far",
                f"入企定位距企业登记位置约{m:.0f}米{acc}，超过{threshold:.0f}米，"
                "已标记供执法监督核查（不阻止入企）。",
            ),
        )
    if accuracy_m is not None and accuracy_m > POOR_ACCURACY_M:
        return Presence(
            True,
            m,
            accuracy_m,
            threshold,
            False,
            Reason(
                "accuracy_poor",
                f"入企定位距企业登记位置约{m:.0f}米，但定位精度约{accuracy_m:.0f}米，不足以判断。",
            ),
        )
    return Presence(
        True,
        m,
        accuracy_m,
        threshold,
        False,
        Reason(
            "checkin_near", f"入企定位距企业登记位置约{m:.0f}米{acc}，在{threshold:.0f}米以内。"
        ),
    )
