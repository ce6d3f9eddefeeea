"""The login backend (AUTHENTICATION_BACKENDS): Django's ModelBackend, except that the user
behind a session is read with their department (and its bureau), officer, enterprise and
roles in one prepared statement (core/prepared.py), instead of one compiled query for the
user, one for the roles and more for what the access checks read (issue 13: the
authenticated floor). Passwords, permissions and `is_active` are ModelBackend's own;
`roles_of` and `officer_of` then find what they need already on the user."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.db.models import Exists, OuterRef

from fairinspect.core.prepared import Prepared
from fairinspect.core.roles import Role, roles_named
from fairinspect.registry.models import User

_FLAG = "_holds_role_"


def role_flags(user_ref: str = "pk") -> dict[str, Exists]:
    """One EXISTS per role, on the user that `user_ref` (a field of the queried model) names:
    annotations for a query that reads a user (the session's, an API token's)."""
    member = User.groups.through.objects.filter(user_id=OuterRef(user_ref))
    return {f"{_FLAG}{r.value}": Exists(member.filter(group__name=r.value)) for r in Role}


def attach_roles(user: User, row) -> None:
    """Put on `user` the roles that `row` (annotated with `role_flags`) holds, for roles_of."""
    user._fairinspect_roles = roles_named(  # type: ignore[attr-defined]
        (r.value for r in Role if getattr(row, f"{_FLAG}{r.value}")), superuser=user.is_superuser
    )


_USER_ROW = Prepared(
    lambda pk: (
        User.objects.select_related("department__parent", "officer", "enterprise")
        .annotate(**role_flags())
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
