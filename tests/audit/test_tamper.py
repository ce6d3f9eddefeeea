"""The tamper set (R8.5): every way of changing the record behind the services' back is
found by `fairinspect audit-verify`, which exits non-zero and names what changed."""

from __future__ import annotations

import pytest

from fairinspect.audit import trail
from fairinspect.audit.checkpoints import content_of, write_checkpoint
from fairinspect.audit.models import AuditEvent, Chain, Checkpoint
from fairinspect.registry.models import Enterprise
from fairinspect.rules.audit_hashing import (
    GENESIS,
    ChainHead,
    checkpoint_message,
    event_hash,
    sign,
)


def _events():
    return list(AuditEvent.objects.order_by("id"))


def test_r8_5_an_untouched_trail_verifies_and_exits_zero(enterprise_history, run_verify):
    code, out = run_verify()
    assert code == 0, out
    assert "OK: 3 events" in out and "0 breaks" in out
    assert "checkpoint 1 written" in out


def test_r8_5_a_record_edited_behind_the_services_back_is_named_with_its_fields(
    enterprise_history, run_verify
):
    ent = enterprise_history
    Enterprise.objects.filter(pk=ent.pk).update(name="改过的名字有限公司", risk_level="low")
    code, out = run_verify()
    assert code == 1
    assert (
        f"BREAK record_changed event={_events()[-1].pk} record=registry.enterprise:{ent.pk}" in out
    )
    assert "fields=name,risk_level" in out


def test_r8_5_a_record_deleted_behind_the_services_back_is_named(enterprise_history, run_verify):
    ent = enterprise_history
    Enterprise.objects.filter(pk=ent.pk).delete()
    code, out = run_verify()
    assert code == 1 and "BREAK record_deleted" in out
    assert f"record=registry.enterprise:{ent.pk}" in out


def test_r8_5_an_edited_event_is_found(enterprise_history, run_verify):
    ev = _events()[1]
    AuditEvent.objects.filter(pk=ev.pk).update(summary="悄悄改过")
    code, out = run_verify()
    assert code == 1
    assert f"BREAK event_changed chain={ev.chain.key} event={ev.pk} seq={ev.seq}" in out


def test_r8_5_changing_who_did_something_is_found(enterprise_history, run_verify, supervisor):
    ev = _events()[0]
    AuditEvent.objects.filter(pk=ev.pk).update(actor=supervisor)
    code, out = run_verify()
    assert code == 1 and f"BREAK event_changed chain={ev.chain.key} event={ev.pk}" in out
    ev2 = _events()[1]
    AuditEvent.objects.filter(pk=ev2.pk).update(actor_name="别人")
    code, out = run_verify()
    assert f"event={ev2.pk}" in out


def test_r8_5_editing_the_stored_state_of_an_event_is_found(enterprise_history, run_verify):
    ev = _events()[-1]
    state = dict(ev.state, name="改过的名字有限公司")
    AuditEvent.objects.filter(pk=ev.pk).update(state=state)
    code, out = run_verify()
    assert code == 1 and f"BREAK event_changed chain={ev.chain.key} event={ev.pk}" in out


def test_r8_5_deleting_a_middle_event_is_found(enterprise_history, run_verify):
    _first, middle, last = _events()
    middle.delete()
    code, out = run_verify()
    assert code == 1
    assert f"BREAK event_missing chain={last.chain.key} event={last.pk} seq=3" in out


def test_r8_5_deleting_the_newest_events_after_a_checkpoint_is_found_even_with_the_head_fixed(
    enterprise_history, run_verify
):
    assert write_checkpoint() is not None
    first, _middle, _last = _events()
    AuditEvent.objects.filter(pk__gt=first.pk).delete()
    # The careful attacker also winds the chain's head row back.
    Chain.objects.filter(pk=first.chain_id).update(length=1, head=first.hash)
    code, out = run_verify()
    assert code == 1
    assert f"BREAK events_deleted chain={first.chain.key} seq=2" in out
    assert "有3条记录，现只有1条" in out
    # A broken trail is never signed (that would launder the deletion).
    assert Checkpoint.objects.count() == 1


def test_r8_5_deleting_the_newest_events_without_touching_the_head_is_found(
    enterprise_history, run_verify
):
    last = _events()[-1]
    last.delete()
    code, out = run_verify()
    assert code == 1 and f"BREAK head_mismatch chain={last.chain.key}" in out


def test_r8_5_a_whole_chain_deleted_after_a_checkpoint_is_found(enterprise_history, run_verify):
    write_checkpoint()
    chain = Chain.objects.get()
    AuditEvent.objects.all().delete()
    chain.delete()
    code, out = run_verify()
    assert code == 1 and f"BREAK chain_missing chain={chain.key}" in out


def _rechain(chain: Chain) -> None:
    """What an attacker without the key can do: recompute every hash of a chain."""
    prev = GENESIS
    for ev in AuditEvent.objects.filter(chain=chain).order_by("seq"):
        h = event_hash(prev, trail.content_of(ev, chain.key))
        AuditEvent.objects.filter(pk=ev.pk).update(prev_hash=prev, hash=h)
        prev = h
    Chain.objects.filter(pk=chain.pk).update(head=prev)


def test_r8_5_a_chain_recomputed_without_the_key_is_found_by_the_checkpoint(
    enterprise_history, run_verify
):
    write_checkpoint()
    ev = _events()[1]
    AuditEvent.objects.filter(pk=ev.pk).update(summary="重写的历史")
    _rechain(ev.chain)
    code, out = run_verify()
    assert code == 1
    assert "BREAK chain_rewritten" in out and f"chain={ev.chain.key}" in out
    assert "event_changed" not in out  # the hashes themselves are consistent again


def test_r8_5_a_checkpoint_recomputed_without_the_key_does_not_verify(
    enterprise_history, run_verify
):
    cp = write_checkpoint()
    ev = _events()[1]
    AuditEvent.objects.filter(pk=ev.pk).update(summary="重写的历史")
    _rechain(ev.chain)
    chain = Chain.objects.get()
    forged = content_of(cp)
    forged = type(forged)(
        seq=forged.seq,
        at=forged.at,
        heads=(ChainHead(chain.key, chain.length, chain.head),),
        chains_total=forged.chains_total,
        events_total=forged.events_total,
        prev_mac=forged.prev_mac,
    )
    mac = sign(b"a key guessed by the attacker", checkpoint_message(forged))
    Checkpoint.objects.filter(pk=cp.pk).update(
        heads=[[chain.key, chain.length, chain.head]], mac=mac
    )
    code, out = run_verify()
    assert code == 1 and "BREAK checkpoint_forged" in out and "第1号检查点的签名不符" in out


def test_r8_5_a_deleted_checkpoint_is_found_against_the_published_copy(
    enterprise_history, run_verify, client, tmp_path
):
    write_checkpoint()
    export = tmp_path / "published.json"
    export.write_bytes(b"".join(client.get("/audit/checkpoints.json").streaming_content))
    first, _m, _l = _events()
    # Delete the newest events AND every checkpoint, and wind the head back.
    AuditEvent.objects.filter(pk__gt=first.pk).delete()
    Chain.objects.filter(pk=first.chain_id).update(length=1, head=first.hash)
    Checkpoint.objects.all().delete()
    code, out = run_verify("--no-checkpoint")
    # Inside the database only the record's newer state betrays it, not the chain.
    assert code == 1 and "record_changed" in out and "events_deleted" not in out
    code, out = run_verify("--against", str(export))
    assert code == 1
    assert "BREAK checkpoint_missing" in out and "BREAK events_deleted" in out


def test_r8_5_events_written_after_the_last_checkpoint_extend_it_without_a_break(
    enterprise_history, run_verify, admin_user
):
    write_checkpoint()
    from fairinspect.registry import services

    services.update_enterprise(
        actor=admin_user, enterprise=enterprise_history, data={"contact_name": "王五"}
    )
    code, out = run_verify()
    assert code == 0, out
    assert Checkpoint.objects.count() == 2
    assert write_checkpoint() is None  # nothing changed since


@pytest.mark.parametrize("missing", ["AUDIT_HMAC_KEY"])
def test_r8_5_production_refuses_to_start_without_the_checkpoint_key(missing, tmp_path):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != missing}
    env |= {
        "FAIRINSPECT_ENV": "production",
        "SECRET_KEY": "x" * 60,
        "ALLOWED_HOSTS": "example.gov.cn",
        "DJANGO_SETTINGS_MODULE": "fairinspect.config.settings",
    }
    out = subprocess.run(
        [sys.executable, "manage.py", "check"], env=env, capture_output=True, text=True
    )
    assert out.returncode != 0 and "AUDIT_HMAC_KEY" in out.stderr
