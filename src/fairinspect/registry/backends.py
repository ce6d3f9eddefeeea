"""The login backend (AUTHENTICATION_BACKENDS): Django's ModelBackend, except that the user
behind a session is read with their department (and its bureau), officer, enterprise and
roles in one prepared statement (core/prepared.py), instead of one compiled query for the
user, one for the roles and more for what the access checks read (issue 13: the
authenticated floor). Passwords, permissions and `is_active` are ModelBackend's own;
`roles_of` and `officer_of` then find what they need already on the user."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.db.models import Case, IntegerField, OuterRef, Subquery, Sum, Value, When

from fairinspect.core.prepared import Prepared
from fairinspect.core.roles import Role, roles_named
from fairinspect.registry.models import User

_MASK = "_fairinspect_role_mask"
_BITS = {r: 1 << i for i, r in enumerate(Role)}


def role_mask(user_ref: str = "pk") -> dict[str, Subquery]:
    """The roles of the user that `user_ref` (a field of the queried model) names, as one
    bit mask computed by one aggregate subquery (cheaper to plan than an EXISTS a role):
    an annotation for a query that reads a user (the session's, an API token's)."""
    bits = Case(
        *(When(group__name=r.value, then=Value(bit)) for r, bit in _BITS.items()),
        default=Value(0),
    )
    mask = (
        User.groups.through.objects.filter(user_id=OuterRef(user_ref))  # type: ignore[misc]
        .order_by()
        .values("user_id")
        .annotate(mask=Sum(bits))
        .values("mask")[:1]
    )
    return {_MASK: Subquery(mask, output_field=IntegerField())}


def attach_roles(user: User, row) -> None:
    """Put on `user` the roles that `row` (annotated with `role_mask`) holds, for roles_of."""
    mask = getattr(row, _MASK) or 0
    user._fairinspect_roles = roles_named(  # type: ignore[attr-defined]
        (r.value for r, bit in _BITS.items() if mask & bit), superuser=user.is_superuser
    )


_USER_ROW = Prepared(
    lambda pk: (
        User.objects.select_related("department__parent", "officer", "enterprise")
        .annotate(**role_mask())
        .filter(pk=pk)
    ),
    pk=-1_000_001,  # no user has a negative id
)


class Backend(ModelBackend):
    def get_user(self, user_id):
        try:
            pk = int(user_id)
        except (TypeError, ValueError):
            return None
        found = _USER_ROW.objects(pk=pk)
        if not found:
            return None
        user = found[0]
        attach_roles(user, user)
        return user if self.user_can_authenticate(user) else None
