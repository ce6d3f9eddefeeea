from django.urls import get_script_prefix

from .roles import Role, roles_of


def roles(request):
    user = getattr(request, "user", None)
    held = roles_of(user)
    enterprise = getattr(user, "enterprise", None) if Role.ENTERPRISE in held else None
    return {
        "my_roles": {r.value: True for r in held},
        "ROLE": Role,
        # Everything the main navigation depends on besides the language: base.html keeps
        # the rendered navigation per key (the roles, the enterprise's code, the prefix).
        "nav_key": "|".join(
            [
                get_script_prefix(),
                ",".join(sorted(held)),
                enterprise.credit_code if enterprise else "",
            ]
        ),
    }
