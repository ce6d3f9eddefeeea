"""The fixtures of the cases and visits tests, for the exports that hold both (the visits'
autouse ones too: the frozen clock of 2025-06-18 and the complaint records)."""

from tests.cases.conftest import *  # noqa: F403
from tests.visits.conftest import *  # noqa: F403
from tests.visits.conftest import _complaint_records, _frozen  # noqa: F401
