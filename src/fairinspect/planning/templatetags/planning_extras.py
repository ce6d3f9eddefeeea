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


@register.simple_tag
def pairing_rows(rows):
    """The table rows of one page of a draw's result (the public draw page), built in one
    pass with escape() rather than three template loops a row: the page's cost stays that
    of its shell, not of its 50 rows. `rows` are (number, DrawPairing, [(number, name)])."""
    from django.utils.html import escape
    from django.utils.safestring import mark_safe
    from django.utils.translation import gettext

    l_ent, l_off, l_skip = (
        escape(s) for s in (gettext("企业"), gettext("执法人员"), gettext("跳过"))
    )
    out = []
    for n, p, officers in rows:
        if officers:
            team = "、".join(f"{escape(name)}（{escape(o)}）" for o, name in officers)
        else:
            team = f'<span class="badge bad">{escape(p.unpaired)}</span>'
        skipped = "".join(f"{escape(s[0])}：{escape(s[2])}<br>" for s in p.skipped) or "—"
        out.append(
            f'<tr><td data-label="#">{n}</td><td data-label="{l_ent}">'
            f"{escape(p.enterprise.name)}<br>"
            f'<code class="small">{escape(p.credit_code)}</code></td>\n'
            f'<td data-label="{l_off}">{team}</td>\n'
            f'<td data-label="{l_skip}" class="small">{skipped}</td></tr>\n'
        )
    return mark_safe("".join(out))  # every value above is escaped
