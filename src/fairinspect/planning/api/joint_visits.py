"""Joint and merged visits (R5)."""

from __future__ import annotations

from .. import joint
from ._common import ERRORS, router

joint.register(router, ERRORS)
