"""Template filters used across the apps."""

import datetime as dt

from django import template

register = template.Library()


@register.filter
def district_name(code: str) -> str:
    from fairinspect.registry.queries import district_names

    return district_names().get(code, code)


@register.filter
def cn_date(value) -> str:
    """2025年6月18日: how people read dates on paper and screens here."""
    if not value:
        return ""
    if isinstance(value, dt.datetime):
        from django.utils import timezone

        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{value.year}年{value.month}月{value.day}日 {value:%H:%M}"
    return f"{value.year}年{value.month}月{value.day}日"


@register.filter
def mask_phone(value: str) -> str:
    """Keep the first three and last four digits: enough to recognise, not to publish."""
    s = str(value or "")
    return s if len(s) < 8 else s[:3] + "*" * (len(s) - 7) + s[-4:]


@register.filter
def domain_label(code: str) -> str:
    from fairinspect.rules.domains import label

    return label(code)
