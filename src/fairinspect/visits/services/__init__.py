"""Writes for visits: each checks through rules/, writes in one transaction (locking the
enterprise row where the annual cap is at stake) and records itself in the audit trail.

Split by stage of a visit; everything is importable from `fairinspect.visits.services`."""

from .checkin import (  # noqa: F401
    CheckInOutcome,
    _coord,
    _outcome,
    _team_decision,
    confirm_check_in,
)
from .common import (  # noqa: F401
    DOC_PREFIX,
    _decision_data,
    _reasons,
    _refuse,
    next_number,
    officer_of,
)
from .onsite import (  # noqa: F401
    ALLOWED_JUSTIFICATION,
    ALLOWED_MEDIA,
    MAX_JUSTIFICATION_BYTES,
    MAX_MEDIA_BYTES,
    _require_in_progress,
    _require_on_team,
    attach_justification,
    check_justification_file,
    check_out,
    create_follow_up,
    end_recording,
    issue_order,
    rate_visit,
    record_finding,
    record_follow_up_result,
    record_hazard,
    sniff,
    start_recording,
    upload_media,
)
from .plans import (  # noqa: F401
    _check_reinspection,
    _clean_justification,
    _draft_plan,
    _items_in_force,
    _officers,
    _plan_problems,
    _require_team_or_approver,
    approve_plan,
    cancel_visit,
    create_visit,
    reject_plan,
    submit_plan,
    update_plan,
)
from .records import (  # noqa: F401
    apply_for_inspection,
    decide_application,
    register_referral,
    set_referral_status,
)
