"""The supervisor's audit page and the public checkpoints (R8.5)."""

from __future__ import annotations

import json

from fairinspect.audit.checkpoints import write_checkpoint
from fairinspect.registry.models import Enterprise


def test_r8_5_the_supervisor_opening_the_verify_page_after_a_database_edit_sees_which_record_changed(
    enterprise_history, login, supervisor
):
    ent = enterprise_history
    Enterprise.objects.filter(pk=ent.pk).update(name="改过的名字有限公司")
    page = login(supervisor).get("/supervision/audit/?verify=1").content.decode()
    assert "发现1处异常" in page
    assert f"registry.enterprise:{ent.pk}" in page
    assert "record_changed" in page and "name" in page
    assert "在审计记录之外被修改" in page


def test_r8_5_the_supervisor_sees_an_intact_trail_as_intact(enterprise_history, login, supervisor):
    page = login(supervisor).get("/supervision/audit/?verify=1").content.decode()
    assert "审计链完整，共3条记录" in page and "1个对象的当前数据与最后一条记录一致" in page


def test_r8_5_the_trail_page_filters_by_object_and_shows_the_chain(
    enterprise_history, login, supervisor
):
    ent = enterprise_history
    page = login(supervisor).get(f"/supervision/audit/?object=registry.enterprise:{ent.pk}")
    text = page.content.decode()
    assert "登记企业" in text and "#3" in text


def test_r8_5_the_public_sees_and_downloads_the_signed_checkpoints_without_logging_in(
    enterprise_history, client
):
    cp = write_checkpoint()
    page = client.get("/audit/checkpoints/").content.decode()
    assert "审计检查点公示" in page and cp.mac[:16] in page
    export = json.loads(b"".join(client.get("/audit/checkpoints.json").streaming_content))
    assert export["checkpoints"][0]["mac"] == cp.mac
    assert export["checkpoints"][0]["events_total"] == 3
    api = client.get("/api/v1/audit/checkpoints?limit=5").json()
    assert api[0]["seq"] == 1 and api[0]["heads"][0]["length"] == 3


def test_r8_5_the_checkpoints_api_refuses_a_wrong_type_naming_the_field(client):
    r = client.get("/api/v1/audit/checkpoints?after=abc")
    assert r.status_code == 422 and r.json()["field"] == "after"


def test_r8_5_the_checkpoints_api_refuses_a_limit_out_of_range(client):
    r = client.get("/api/v1/audit/checkpoints?limit=5000")
    assert r.status_code == 422 and r.json()["field"] == "limit"
