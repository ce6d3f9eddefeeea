from .roles import Role, roles_of


def roles(request):
    held = roles_of(getattr(request, "user", None))
    return {"my_roles": {r.value: True for r in held}, "ROLE": Role}
