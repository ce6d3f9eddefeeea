"""Pages for visits: the QR pre-check (officers) and transparency card (everyone else), the
poster, my visits, creating a visit, the visit page with its plan, check-in, recording,
findings, hazards, orders, check-out, follow-up, documents and the enterprise's rating.

Split by sub-area into the modules of this package; urls.py and other apps import
the views from here."""

from ._common import (  # noqa: F401
    DOCX,
    _back,
    _flash,
)
from .arrange import (  # noqa: F401
    _create_from_form,
    _my_bureau_departments,
    my_visits,
    new_visit,
)
from .attachment import (  # noqa: F401
    ATTACHMENT_TYPES,
    attach_justification,
    attachment_response,
    justification_attachment,
)
from .downloads import (  # noqa: F401
    _docx,
    document,
    order_document,
)
from .field_day import (  # noqa: F401
    enterprise_precheck,
    officer_day,
    precheck_page,
)
from .field_media import media_file  # noqa: F401
from .field_sync import (  # noqa: F401
    service_worker,
    sync,
)
from .guidance_pages import (  # noqa: F401
    guidance_activity,
    guidance_received,
    guidance_sheet_mine,
)
from .qr_card import (  # noqa: F401
    _card,
    _verify,
    my_card,
    poster,
    qr_landing,
    qr_svg,
    rate,
    revoke_qr,
)
from .ratings import (  # noqa: F401
    ratings,
)
from .visit_page import (  # noqa: F401
    _action,
    _guidance_context,
    approve,
    cancel,
    check_in,
    check_out,
    detail,
    edit_plan,
    end_recording,
    finding,
    follow_up,
    follow_up_result,
    hazard,
    order,
    record_guidance,
    reject,
    set_location,
    start_recording,
    upload,
)
