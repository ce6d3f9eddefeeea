"""Writes for penalty cases, split by stage; every public function is importable from
`fairinspect.cases.services` (private helpers stay in their modules). Every write is recorded
in the audit trail."""

from .assessment import (  # noqa: F401
    assess,
    history_facts,
    history_reasons,
    load_no_penalty_list,
    publish_no_penalty_list,
)
from .common import (  # noqa: F401
    AUTHORITY,
    DECIDED_STATUSES,
)
from .credit import (  # noqa: F401
    DISHONESTY_BASIS,
    EXPIRY_REASON,
    MANUAL_GROUNDS,
    apply_early_removal,
    case_record,
    decide_early_removal,
    decline_listing,
    dishonesty_grounds,
    expire_listings,
    list_dishonest,
    notify_listing,
    propose_dishonesty,
    propose_listing_by_approver,
    publish_disclosure,
    record_accident,
    remove_dishonest,
    submit_listing_statement,
)
from .deadlines import (  # noqa: F401
    deadlines,
    open_deadlines,
)
from .hazards import (  # noqa: F401
    GENERAL_HAZARD_VIOLATION,
    MAIN_PERSON_VIOLATION,
    SELF_REPORTED_BASIS,
    UNIT_HAZARD_VIOLATION,
    hazard_plan,
    open_cases_from_hazard,
)
from .procedure import (  # noqa: F401
    check_step,
    open_case,
    redact_party,
    transition,
)
from .repair import (  # noqa: F401
    apply_credit_repair,
    check_repair,
    decide_credit_repair,
    repairable_cases,
)
