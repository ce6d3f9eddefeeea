"""Enforcement domains (执法领域): how items, industries and certificate scopes meet."""

from enum import StrEnum


class Domain(StrEnum):
    HAZCHEM = "hazchem"
    INDUSTRY_TRADE = "industry_trade"
    MINING = "mining"
    FIREWORKS = "fireworks"
    GENERAL = "general"


DOMAIN_LABELS = {
    Domain.HAZCHEM: "危险化学品",
    Domain.INDUSTRY_TRADE: "工贸",
    Domain.MINING: "非煤矿山",
    Domain.FIREWORKS: "烟花爆竹",
    Domain.GENERAL: "综合",
}


def label(code: str) -> str:
    try:
        return DOMAIN_LABELS[Domain(code)]
    except ValueError:
        return code
