from fairinspect.core.errors import Forbidden
from fairinspect.core.roles import Role, has_role


def require_supervisor(user) -> None:
    if not has_role(user, Role.SUPERVISOR, Role.ADMIN):
        raise Forbidden("只有监督人员或管理员可以查看审计记录。")
