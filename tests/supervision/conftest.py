import pytest


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def public_complaint(db, tianshan_enterprise):
    from fairinspect.supervision.services import complaints as services

    def make(**kw):
        values = dict(
            channel="public_form",
            subject="enterprise",
            category="hazard",
            content="厂区储罐区可燃气体报警器长期不亮。",
            subject_text=tianshan_enterprise.credit_code,
            name="张三",
            phone="13800138000",
        )
        values.update(kw)
        return services.receive(**values)

    return make
