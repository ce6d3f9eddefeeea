"""Planning endpoints: annual plans, sampling tasks and draws, special inspections, joint
and merged visits, and the public (no token) draw verification. Same access and services as
the pages.

Split into the modules of this package by tools/split_api.py; the modules
register on the one router in this file's order and every name is re-exported here."""

from . import joint_visits  # noqa: F401
from ._common import (  # noqa: F401
    ERRORS,
    router,
)
from .conflicts import (  # noqa: F401
    ConflictIn,
    ConflictOut,
    WithdrawIn,
    _conflict_out,
    declare_conflict,
    list_conflicts,
    withdraw_conflict,
)
from .draws import (  # noqa: F401
    DrawOut,
    PlanningDecisionIn,
    PlanningExclusionOut,
    PoolOut,
    PublicDrawOut,
    RecomputeOut,
    SeedIn,
    TaskIn,
    TaskOut,
    _public_draw,
    _task_out,
    create_task,
    decide_redraw,
    get_task,
    list_tasks,
    public_draw,
    public_draws,
    publish_draw,
    publish_pools,
    recompute,
    record_seed,
    request_redraw,
    run_draw,
)
from .plans import (  # noqa: F401
    ApprovalIn,
    KeyIn,
    KeyOut,
    LineIn,
    LineOut,
    LinesIn,
    PlanFilingIn,
    PlanIn,
    PlanOut,
    ReasonIn,
    _line_out,
    _plan_out,
    add_key,
    approve_plan,
    create_plan,
    file_plan,
    get_plan,
    list_plans,
    public_plans,
    publish_plan,
    remove_key,
    return_plan,
    submit_plan,
    update_lines,
)
from .special import (  # noqa: F401
    SpecialIn,
    SpecialOut,
    SpecialQuotaIn,
    SpecialQuotaOut,
    _special_out,
    announce_special,
    create_special,
    decide_special,
    get_special,
    list_specials,
    public_specials,
    set_quota,
    submit_special,
)
