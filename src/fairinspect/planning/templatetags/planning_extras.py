"""Small template helpers for the planning pages."""

from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """``names|get_item:code``: look a key up in a dict (enterprise names by credit code)."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""
