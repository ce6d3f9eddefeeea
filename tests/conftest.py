"""Composable fixtures with named personas (design.md: Tests).

The departments, the GB/T 4754 industries and the role groups come from the registry's data
migration, so every test database has them.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import settings

from fairinspect.core.roles import Role

# No per-example deadline: on a loaded 2-core CI an example can take over hypothesis's 200 ms
# default without anything being wrong; the properties, not the timing, are under test.
settings.register_profile("fairinspect", deadline=None)
settings.load_profile("fairinspect")

PASSWORD = "correct-horse-battery-staple-9"
_seq = itertools.count(1)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (settings.CACHES: the process's memory), so no
    page or navigation rendered by an earlier test over other rows is served to it."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _reference_data_after_flush(request):
    """Transactional tests (live server, concurrency) flush the database after each test,
    which also removes what the data migrations loaded: departments, industries, role
    groups. Put them back before such a test."""
    marker = request.node.get_closest_marker("django_db")
    if not (marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))):
        return
    request.getfixturevalue("transactional_db")
    from django.contrib.auth.models import Group

    from fairinspect.registry.models import Department, Industry
    from fairinspect.registry.reference import load_departments, load_industries

    if not Department.objects.exists():
        load_departments(Department)
    if not Industry.objects.exists():
        load_industries(Industry)
    for role in Role:
        Group.objects.get_or_create(name=role.value)


@pytest.fixture
def make_user(db):
    from django.contrib.auth.models import Group

    from fairinspect.registry.models import Department, User

    def make(
        username: str, *roles: Role, department: str | None = None, enterprise=None, **extra
    ) -> User:
        user = User(
            username=username,
            first_name=extra.pop("first_name", username),
            department=Department.objects.get(code=department) if department else None,
            enterprise=enterprise,
            **extra,
        )
        user.set_password(PASSWORD)
        user.save()
        user.groups.set([Group.objects.get(name=r.value) for r in roles])
        return user

    return make


@pytest.fixture
def make_enterprise(db):
    from fairinspect.registry.models import Enterprise
    from fairinspect.rules.credit_code import make_credit_code

    def make(**overrides) -> Enterprise:
        n = next(_seq)
        district = overrides.pop("district_code", "650102")
        values = dict(
            credit_code=make_credit_code(f"91{district}{n:09d}"),
            name=f"测试企业{n}号有限公司",
            address="天山区测试路1号",
            district_code=district,
            industry_id="2614",
            high_risk=True,
            standardization_grade=2,
            risk_level="general",
            credit_level="B",
            supervising_level="district",
        )
        values.update(overrides)
        return Enterprise.objects.create(**values)

    return make


@pytest.fixture
def make_officer(db):
    from fairinspect.registry.models import Certificate, Department, Officer

    def make(
        name: str | None = None,
        *,
        department: str = "650100-WH",
        status: str = "on_duty",
        scopes=("hazchem",),
        valid_from: dt.date = dt.date(2024, 1, 1),
        valid_to: dt.date = dt.date(2028, 12, 31),
        user=None,
        cert_status: str = "valid",
        certificate: bool = True,
    ) -> Officer:
        n = next(_seq)
        officer = Officer.objects.create(
            name=name or f"执法员{n}",
            department=Department.objects.get(code=department),
            status=status,
            post_domains=list(scopes),
            user=user,
        )
        if certificate:
            Certificate.objects.create(
                officer=officer,
                number=f"T{n:08d}",
                issuer="乌鲁木齐市人民政府",
                valid_from=valid_from,
                valid_to=valid_to,
                scopes=list(scopes),
                status=cert_status,
            )
        return officer

    return make


# ---- personas ----------------------------------------------------------------------------


@pytest.fixture
def admin_user(make_user):
    return make_user("admin1", Role.ADMIN, department="650100-ZH")


@pytest.fixture
def city_officer(make_user, make_officer):
    user = make_user("city_officer", Role.OFFICER, department="650100-WH", first_name="王城")
    make_officer("王城", department="650100-WH", user=user)
    return user


@pytest.fixture
def tianshan_officer(make_user, make_officer):
    """The officer of 天山区."""
    user = make_user("ts_officer", Role.OFFICER, department="650102", first_name="天山甲")
    make_officer("天山甲", department="650102", user=user, scopes=("general",))
    return user


@pytest.fixture
def approver(make_user):
    return make_user("approver", Role.APPROVER, department="650100-WH")


@pytest.fixture
def legal_reviewer(make_user):
    return make_user("legal", Role.LEGAL_REVIEWER, department="650100-FZ")


@pytest.fixture
def supervisor(make_user):
    """The city supervisor."""
    return make_user("supervisor", Role.SUPERVISOR, department="650100-ZH")


@pytest.fixture
def tianshan_enterprise(make_enterprise):
    return make_enterprise(name="天山示例化工有限公司", district_code="650102")


@pytest.fixture
def shayibake_enterprise(make_enterprise):
    return make_enterprise(
        name="沙区示例商贸有限公司",
        district_code="650103",
        industry_id="5212",
        high_risk=False,
        standardization_grade=None,
    )


@pytest.fixture
def enterprise_user(make_user, tianshan_enterprise):
    return make_user("ent_user", Role.ENTERPRISE, enterprise=tianshan_enterprise)


@pytest.fixture
def other_enterprise_user(make_user, shayibake_enterprise):
    """An enterprise user of another company."""
    return make_user("other_ent", Role.ENTERPRISE, enterprise=shayibake_enterprise)


@pytest.fixture
def expert_user(make_user):
    return make_user("expert1", Role.EXPERT)


@pytest.fixture
def login(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user


@pytest.fixture
def api_token(db):
    from fairinspect.registry.auth import issue_token

    def token_for(user) -> dict:
        return {"HTTP_AUTHORIZATION": f"Bearer {issue_token(user)}"}

    return token_for
