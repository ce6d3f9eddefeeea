"""Writes for visits: each checks through rules/, writes in one transaction (locking the
enterprise row where the annual cap is at stake) and records itself in the audit trail.

Split by stage of a visit; every public function is importable from
`fairinspect.visits.services` (private helpers stay in their modules)."""

from .checkin import (  # noqa: F401
    CheckInOutcome,
    confirm_check_in,
)
from .common import officer_of  # noqa: F401
from .creation import NewVisit, create_visit, create_visits  # noqa: F401
from .field import (  # noqa: F401
    FieldOutcome,
    perform_field_action,
)
from .guidance import record_guidance  # noqa: F401
from .numbers import allocate, allocate_many  # noqa: F401
from .onsite import (  # noqa: F401
    ALLOWED_JUSTIFICATION,
    ALLOWED_MEDIA,
    MAX_JUSTIFICATION_BYTES,
    MAX_MEDIA_BYTES,
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
    approve_plan,
    cancel_visit,
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
