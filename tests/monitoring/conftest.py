"""Monitoring fixtures: a gas detector and a tank level at the 天山区 enterprise, and the
gateway key it sends readings with."""

from __future__ import annotations

import datetime as dt

import pytest

T0 = dt.datetime(2026, 6, 18, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def gas_point(tianshan_enterprise, tianshan_officer):
    from fairinspect.monitoring import services

    return services.create_point(
        actor=tianshan_officer,
        enterprise=tianshan_enterprise,
        code="GT-101",
        name="罐区可燃气体探测器",
        kind="gas",
        unit="%LEL",
        range_low=0,
        range_high=100,
        high=25,
        high_high=50,
        rate_per_minute=20,
    )


@pytest.fixture
def level_point(tianshan_enterprise, tianshan_officer):
    from fairinspect.monitoring import services

    return services.create_point(
        actor=tianshan_officer,
        enterprise=tianshan_enterprise,
        code="LT-201",
        name="1号储罐液位",
        kind="tank",
        unit="m",
        range_low=0,
        range_high=20,
        low_low=1,
        low=2,
        high=16,
        high_high=18,
        rate_per_minute=1,
    )


@pytest.fixture
def gateway(tianshan_enterprise, tianshan_officer):
    """(credential, key) of the enterprise's data gateway."""
    from fairinspect.monitoring import services

    return services.issue_credential(
        actor=tianshan_officer, enterprise=tianshan_enterprise, gateway="DCS-1"
    )


@pytest.fixture
def send(client, gateway):
    """POST a JSON batch with the gateway's key; returns the response."""
    _cred, key = gateway

    def post(message_id: str, readings: list[dict], *, key_: str | None = None):
        return client.post(
            "/api/v1/monitoring/ingest",
            {"message_id": message_id, "readings": readings},
            content_type="application/json",
            HTTP_X_GATEWAY_KEY=key_ if key_ is not None else key,
        )

    return post


def at(seconds: float) -> str:
    return (T0 + dt.timedelta(seconds=seconds)).isoformat()
