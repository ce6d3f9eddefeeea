"""Pages for plans, draws, special inspections and joint visits; the public pages need no
login. Thin: access, one service, render or redirect.

Split by sub-area into the modules of this package; urls.py and other apps import
the views from here."""

from ._common import (  # noqa: F401
    XLSX,
    _act,
    _can_approve,
    _can_plan,
    index,
)
from .conflict_pages import (  # noqa: F401
    conflict_withdraw,
    conflicts,
)
from .draw_pages import (  # noqa: F401
    DRAW_ACTIONS,
    _names,
    _officer_names,
    draw_action,
    task_create,
    task_detail,
    task_list,
    task_publish_pools,
    task_redraw,
)
from .joint_pages import (  # noqa: F401
    joint_create,
    joint_index,
    merge_approve,
)
from .plan_pages import (  # noqa: F401
    PLAN_ACTIONS,
    _plan_context,
    plan_action,
    plan_detail,
    plan_key_add,
    plan_key_remove,
    plan_lines,
    plan_list,
)
from .public_pages import (  # noqa: F401
    __all__,
    public_cross_items,
    public_draw,
    public_draw_selected,
    public_index,
    public_plan,
    public_pool_file,
    public_specials,
    public_task,
)
from .special_pages import (  # noqa: F401
    SPECIAL_ACTIONS,
    special_action,
    special_create,
    special_detail,
    special_ledger,
    special_list,
    special_quota,
)
