"""Accident grades (R10.1), pure: no Django, no clock.

《生产安全事故报告和调查处理条例》第三条 grades an accident by deaths, serious injuries (including
acute industrial poisoning) and direct economic loss: 特别重大 30+ deaths or 100+ injured,
重大 10–29 deaths or 50–99 injured, 较大 3–9 deaths or 10–49 injured, 一般 below that. Economic
loss can raise the grade, so a recorded grade may be higher than the casualties alone give,
never lower.
"""

from __future__ import annotations

LEVELS = ("general", "larger", "major", "especially_major")
LABELS = {
    "general": "一般事故",
    "larger": "较大事故",
    "major": "重大事故",
    "especially_major": "特别重大事故",
}


def minimum_level(deaths: int, injuries: int) -> str:
    """The lowest grade the casualties allow."""
    if deaths >= 30 or injuries >= 100:
        return "especially_major"
    if deaths >= 10 or injuries >= 50:
        return "major"
    if deaths >= 3 or injuries >= 10:
        return "larger"
    return "general"


def level_problem(level: str, deaths: int, injuries: int) -> str:
    """'' when the grade fits the casualties, otherwise the reason in Chinese."""
    if level not in LEVELS:
        return "事故等级应为一般、较大、重大或特别重大。"
    least = minimum_level(deaths, injuries)
    if LEVELS.index(level) < LEVELS.index(least):
        return (
            f"死亡{deaths}人、重伤{injuries}人的事故至少为{LABELS[least]}"
            "（《生产安全事故报告和调查处理条例》第三条）。"
        )
    return ""
