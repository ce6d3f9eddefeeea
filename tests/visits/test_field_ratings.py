"""Ratings are anonymous by construction (issue 12 item 7, R8): no user is stored with a
score, the audit event of a rating names no actor, and the form pre-selects no score."""

from __future__ import annotations

import pytest

from fairinspect.audit.models import AuditEvent
from fairinspect.core.roles import Role
from fairinspect.visits import services
from fairinspect.visits.models import VisitRating

pytestmark = pytest.mark.django_db


def test_r8_rating_model_has_no_link_to_any_user():
    from django.conf import settings

    user_model = settings.AUTH_USER_MODEL.lower()
    for f in VisitRating._meta.get_fields():
        rel = getattr(f, "related_model", None)
        assert rel is None or rel._meta.label_lower != user_model, f.name


def test_r8_a_rating_is_stored_and_audited_without_the_person(started_visit, team, make_user):
    v = started_visit()
    services.check_out(actor=team[0][0], visit=v)
    rater = make_user("ent_anon", Role.ENTERPRISE, enterprise=v.enterprise)
    r = services.rate_visit(actor=rater, visit=v, score=2, comment="等候太久")
    ev = AuditEvent.objects.get(action="rate_visit", object_id=str(r.pk))
    assert ev.actor_id is None
    assert "ent_anon" not in (ev.actor_name or "") and "2" not in ev.summary
    # still one rating per visit
    from fairinspect.core.errors import Conflict

    with pytest.raises(Conflict):
        services.rate_visit(actor=rater, visit=v, score=5)


def test_r8_the_rating_form_preselects_no_score(client, started_visit, team, make_user):
    v = started_visit()
    services.check_out(actor=team[0][0], visit=v)
    rater = make_user("ent_form", Role.ENTERPRISE, enterprise=v.enterprise)
    client.force_login(rater)
    body = client.get("/visits/card/").content.decode()
    select = body.split(f'id="score-{v.pk}"', 1)[1].split("</select>", 1)[0]
    assert "required" in select
    assert '<option value="" selected>' in select
    assert 'value="5" selected' not in select and select.count("selected") == 1
