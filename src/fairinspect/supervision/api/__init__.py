"""Supervision endpoints: complaints (public and staff), breaches, case-file review, training,
conduct cases and the dashboard. One schema per action; the same access and services as the
pages.

Split into the modules of this package by tools/split_api.py; the modules
register on the one router in this file's order and every name is re-exported here."""

from ._common import (  # noqa: F401
    Category,
    Subject,
    Text,
    handling_bearer,
    router,
    supervision_bearer,
)
from .breaches import (  # noqa: F401
    BreachAssignIn,
    BreachCloseIn,
    BreachOut,
    BreachPage,
    BreachRespondIn,
    EvidenceOut,
    RunOut,
    _breach,
    assign_breach,
    close_breach,
    get_breach,
    list_breaches,
    respond_breach,
    run_breaches,
)
from .case_review import (  # noqa: F401
    CaseReviewIn,
    RectifyIn,
    ReviewFindingIn,
    ReviewOut,
    ReviewPlanIn,
    ReviewPlanOut,
    ReviewSeedIn,
    StratumOut,
    _get_plan,
    _plan,
    create_plan,
    get_plan,
    list_plans,
    publish_plan,
    rectify,
    review_case,
)
from .complaints import (  # noqa: F401
    AcceptIn,
    AssignIn,
    ComplaintMergeIn,
    ComplaintOut,
    ComplaintPage,
    EntryIn,
    HandleIn,
    ImportOut,
    RefuseIn,
    ReplyIn,
    SatisfactionIn,
    VerifyIn,
    _out,
    _step,
    accept,
    assign,
    enter_complaint,
    get_complaint,
    handle,
    import_complaints,
    list_complaints,
    merge,
    refuse,
    reply,
    satisfaction,
    verify,
)
from .conduct import (  # noqa: F401
    CloseConductIn,
    ConductOut,
    TransferIn,
    _conduct,
    close_conduct,
    list_conduct,
    transfer_conduct,
)
from .dashboard import (  # noqa: F401
    CountLink,
    DashboardOut,
    get_dashboard,
)
from .public import (  # noqa: F401
    LookupIn,
    PublicComplaintIn,
    PublicStatusOut,
    RateIn,
    ReceiptOut,
    _public,
    file_complaint,
    lookup_complaint,
    rate_complaint,
)
from .training import (  # noqa: F401
    BelowOut,
    BelowReportOut,
    TrainingIn,
    TrainingOut,
    add_training,
    below_required,
)
