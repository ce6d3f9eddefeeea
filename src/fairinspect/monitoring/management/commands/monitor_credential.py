"""`fairinspect monitor-credential CREDIT_CODE GATEWAY --by USERNAME`: issue a gateway key
for an enterprise's data gateway. The key is printed once; only its SHA-256 is stored. The
person named by --by must be staff of the enterprise's territory (the audit names them)."""

from django.core.management.base import BaseCommand, CommandError

from fairinspect.core.errors import DomainError
from fairinspect.monitoring import services
from fairinspect.registry.models import Enterprise, User


class Command(BaseCommand):
    help = "为企业数据网关签发接入密钥（只显示一次）。"

    def add_arguments(self, parser):
        parser.add_argument("credit_code")
        parser.add_argument("gateway")
        parser.add_argument("--by", required=True, help="签发人的用户名（须为属地监管人员）")

    def handle(self, *args, credit_code, gateway, by, **opts):
        ent = Enterprise.objects.filter(credit_code=credit_code.strip().upper()).first()
        if ent is None:
            raise CommandError(f"credit_code: 未找到企业 {credit_code}")
        actor = User.objects.filter(username=by).first()
        if actor is None:
            raise CommandError(f"--by: 未找到用户 {by}")
        try:
            cred, key = services.issue_credential(actor=actor, enterprise=ent, gateway=gateway)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"{ent.name} · {cred.gateway}\nX-Gateway-Key: {key}")
