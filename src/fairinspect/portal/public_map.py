"""The one map of everything public (R8.2, R13.2, R13.1): every page anyone may open without
logging in, grouped, with the words the public navigation, the public home and the main
navigation use. A public page of any app is listed here once; the pages themselves stay in
their apps (docs/decisions.md, "portal: the public site")."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class PublicPage:
    url_name: str
    label: object  # lazy translation
    title: object
    description: object
    group: object
    kwargs: tuple[tuple[str, str], ...] = ()
    primary: bool = False  # also in the site's main navigation


NEWS, CHECKS, PENALTIES, OVERSIGHT = _("公开信息"), _("检查公开"), _("处罚与信用"), _("监督")

PAGES: tuple[PublicPage, ...] = (
    PublicPage("public:list", _("新闻动态"), _("新闻动态"), _("执法动态与工作新闻"), NEWS,
               (("kind", "news"),)),
    PublicPage("public:list", _("政策法规"), _("政策法规"), _("安全生产法律法规、政策文件及解读"),
               NEWS, (("kind", "policy"),)),
    PublicPage("public:list", _("典型案例"), _("典型案例"), _("以案释法：安全生产执法典型案例"),
               NEWS, (("kind", "case"),)),
    PublicPage("catalog:public_list", _("检查事项清单"), _("涉企行政检查事项清单"),
               _("无清单不检查：查看现行有效的检查事项及其依据"), CHECKS, primary=True),
    PublicPage("catalog:guidance_list", _("合规指导清单"), _("企业行政合规指导清单"),
               _("合规要求、法律依据、常见违法情形和自查要点"), CHECKS, primary=True),
    PublicPage("planning:public_index", _("抽查公开"), _("“双随机、一公开”"),
               _("年度计划、抽查名录库与结果，任何人都可以验证"), CHECKS, primary=True),
    PublicPage("planning:public_specials", _("专项检查"), _("专项检查"),
               _("经批准的专项检查及其范围"), CHECKS),
    PublicPage("cases:disclosure_list", _("处罚公示"), _("行政处罚信息公示"),
               _("处罚决定公开、包容免罚清单、违法行为目录"), PENALTIES, primary=True),
    PublicPage("cases:dishonesty_public", _("严重失信主体名单"), _("严重失信主体名单"),
               _("列入决定、管理期限与移出"), PENALTIES),
    PublicPage("cases:no_penalty_list", _("包容免罚清单"), _("轻微违法行为包容免罚清单"),
               _("首违不罚、轻微不罚的事项和条件"), PENALTIES),
    PublicPage("cases:violation_list", _("违法行为目录"), _("安全生产违法行为目录"),
               _("违法条款、处罚依据与罚款幅度"), PENALTIES),
    PublicPage("supervision:complaint_new", _("投诉举报"), _("投诉举报"),
               _("对执法检查、执法人员或安全生产问题提出投诉举报"), OVERSIGHT),
    PublicPage("supervision:complaint_lookup", _("办理进度查询"), _("投诉举报办理进度"),
               _("凭受理编号和查询码查询办理进度"), OVERSIGHT),
    PublicPage("audit:public_checkpoints", _("审计检查点"), _("审计检查点公示"),
               _("审计链签名检查点，可下载留存，用于核对记录未被删改"), OVERSIGHT),
)  # fmt: skip


def groups():
    out: dict[str, list[PublicPage]] = {}
    for p in PAGES:
        out.setdefault(str(p.group), []).append(p)
    return list(out.items())
