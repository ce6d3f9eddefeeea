"""Visits over the API: quota, visits and their plan, check-in and out, findings, hazards,
orders. Same access and services as the pages.

Split into the modules of this package by tools/split_api.py; the modules
register on the one router in this file's order and every name is re-exported here."""

from ._common import (  # noqa: F401
    Refusal,
    approver_bearer,
    enterprise_bearer,
    officer_bearer,
    ratings_bearer,
    router,
)
from .checkin import (  # noqa: F401
    CapOut,
    CheckInIn,
    CheckInOut,
    CheckOutIn,
    check_in,
    check_out,
)
from .findings import (  # noqa: F401
    FindingIn,
    FindingOut,
    GuidanceGivenOut,
    GuidanceIn,
    HazardIn,
    HazardOut,
    OrderIn,
    OrderOut,
    _guidance_out,
    _order_out,
    add_finding,
    add_hazard,
    add_order,
    attach_justification,
    get_justification,
    list_orders,
    record_guidance,
    visit_guidance,
)
from .follow_up import (  # noqa: F401
    FollowUpIn,
    FollowUpResultIn,
    create_follow_up,
    follow_up_result,
)
from .listing import (  # noqa: F401
    VisitListPage,
    VisitRowOut,
    list_visits,
)
from .media import (  # noqa: F401
    MediaOut,
    RecordingEndIn,
    RecordingIn,
    RecordingOut,
    _media_out,
    _recording_out,
    end_recording,
    list_recordings,
    start_recording,
    upload_media,
)
from .plan import (  # noqa: F401
    JustificationIn,
    RejectIn,
    TeamMember,
    VisitIn,
    VisitOut,
    VisitPlanIn,
    _visit_out,
    approve_plan,
    create_visit,
    edit_plan,
    get_visit,
    reject_plan,
    submit_plan,
)
from .quota import (  # noqa: F401
    QuotaOut,
    get_quota,
)
from .rating import (  # noqa: F401
    RatingIn,
    RatingOut,
    _rating_out,
    get_rating,
    rate_visit,
)
