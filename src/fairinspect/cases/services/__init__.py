"""Writes for penalty cases, split by stage; everything is importable from
`fairinspect.cases.services`. Every write is recorded in the audit trail."""

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
    _add_years,
    _lift_listing,
    apply_early_removal,
    decide_early_removal,
    dishonesty_grounds,
    expire_listings,
    list_dishonest,
    propose_dishonesty,
    propose_listing_by_approver,
    publish_disclosure,
    record_accident,
    remove_dishonest,
)
from .deadlines import (  # noqa: F401
    _refresh_due,
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
    _HANDLERS,
    _approve_filing,
    _close,
    _date,
    _decide,
    _discuss,
    _execute,
    _extend,
    _investigate,
    _legal_review,
    _money,
    _move,
    _notify,
    _record_statement,
    _reject_filing,
    _serve,
    _snapshot,
    _text,
    check_step,
    open_case,
    redact_party,
    transition,
)
