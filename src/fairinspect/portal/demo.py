"""Demo public site (R13.2): news, a policy and typical cases, published (one with an
attachment), one scheduled for tomorrow, one draft and one withdrawn."""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.utils import timezone

from fairinspect.registry.models import User

from . import services

ITEMS = [
    ("news", "市应急管理局开展危险化学品企业“双随机、一公开”抽查", "按年度计划随机抽取企业和执法人员，抽取过程与结果向社会公开。",
     "<p>近日，市应急管理局按照年度监督检查计划，采用“双随机、一公开”方式对危险化学品企业开展抽查。</p><p>抽取的种子、名录库和结果均在<a href=\"/planning/public/\">抽查公开</a>栏目公布，任何人都可以验证。</p>"),
    ("policy", "《中华人民共和国安全生产法》（2021年修正）", "2021年6月10日第十三届全国人民代表大会常务委员会第二十九次会议修正，自2021年9月1日起施行。",
     "<p>本栏目收录安全生产法律法规。全文以国家法律法规数据库公布的文本为准。</p>"),
    ("case", "某化工企业未如实记录安全生产教育和培训情况被处罚", "以案释法：安全生产教育和培训档案应当如实记录。",
     "<h2>基本案情</h2><p>执法人员在检查中发现，该企业未如实记录从业人员安全生产教育和培训的时间、内容、参加人员以及考核结果等情况。</p><h2>处理结果</h2><p>依据《中华人民共和国安全生产法》第九十七条第（四）项，责令限期改正，并处罚款。</p><h2>典型意义</h2><p>教育培训档案是落实全员安全生产责任制的基础记录，企业应如实、完整记录。</p>"),
    ("case", "首违不罚：某商贸企业轻微违法行为依清单不予处罚", "包容免罚清单的适用。",
     "<p>该企业初次违法且危害后果轻微并及时改正，依据《乌鲁木齐市应急管理系统轻微违法行为包容免罚清单》不予行政处罚，执法人员对其进行了教育。</p>"),
]  # fmt: skip


def build(*, rng, today, enterprises, out) -> None:
    editor = User.objects.get(username="officer")
    publisher = User.objects.get(username="approver")
    now = timezone.now()
    published = []
    for n, (kind, title, summary, body) in enumerate(ITEMS):
        a = services.create_article(
            actor=editor, kind=kind, title=title, summary=summary, body=body,
            source="乌鲁木齐市应急管理局",
        )  # fmt: skip
        if n == 2:
            services.add_attachment(
                actor=editor, article=a,
                upload=ContentFile(b"%PDF-1.4\n% demo decision\n", name="行政处罚决定书（已脱敏）.pdf"),
            )  # fmt: skip
        published.append(
            services.publish_article(
                actor=publisher, article=a, at=now - dt.timedelta(days=10 - 2 * n)
            )
        )
    later = services.create_article(
        actor=editor, kind="news", title="（定时发布）下月开展有限空间作业专项检查",
        body="<p>定时发布的信息在发布时间之前不对外公开。</p>",
    )  # fmt: skip
    services.publish_article(actor=publisher, article=later, at=now + dt.timedelta(days=1))
    services.create_article(
        actor=editor, kind="case", title="（草稿）某企业重大事故隐患一案双罚",
        body="<p>草稿，尚未发布。</p>",
    )  # fmt: skip
    gone = services.create_article(
        actor=editor, kind="news", title="（已撤回）一则需要更正的通知", body="<p>已撤回。</p>"
    )
    services.publish_article(actor=publisher, article=gone, at=now - dt.timedelta(days=20))
    services.withdraw_article(actor=publisher, article=gone, reason="内容有误，更正后重新发布。")
    out.write(f"Demo: public site — {len(published)} published, 1 scheduled, 1 draft, 1 withdrawn.")
