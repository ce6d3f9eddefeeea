"""`{% guidance_for_violation code as entries %}`: the entries of the compliance guidance
list in force that prevent a violation, for pages of other apps (the violation catalogue)."""

from django import template

from fairinspect.catalog import guidance

register = template.Library()


@register.simple_tag
def guidance_for_violation(code: str):
    return guidance.entries_for_violation(code)
