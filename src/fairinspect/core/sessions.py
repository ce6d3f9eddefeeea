"""The session store (SESSION_ENGINE): Django's database sessions, with the one read every
request behind the login makes (the session row by its key, not expired) run as a prepared
statement (core/prepared.py) instead of being compiled by the ORM each time (issue 13: the
authenticated floor). Writing, expiry and clearing are Django's own."""

from __future__ import annotations

import datetime as dt
import logging

from django.contrib.sessions.backends.db import SessionStore as DbSessionStore
from django.contrib.sessions.models import Session
from django.core.exceptions import SuspiciousOperation
from django.utils import timezone

from fairinspect.core.prepared import Prepared

# Sentinels no request passes: a session key is letters and digits, and no session
# expires in 1901.
_SESSION_ROW = Prepared(
    lambda key, now: Session.objects.filter(session_key=key, expire_date__gt=now).order_by()[:1],
    key="~prepared~",
    now=dt.datetime(1901, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
)


class SessionStore(DbSessionStore):
    def _get_session_from_db(self):
        try:
            found = _SESSION_ROW.objects(key=self.session_key, now=timezone.now())
        except SuspiciousOperation as e:  # as Django's store: log it, start afresh
            logging.getLogger(f"django.security.{e.__class__.__name__}").warning(str(e))
            found = []
        if not found:
            self._session_key = None
            return None
        return found[0]
