"""Demo registry: officers with certificates (some to be found by the audit), experts, 5,000
enterprises with valid credit codes, and one login per role. Names are invented."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import Group

from fairinspect.core.roles import Role
from fairinspect.rules.credit_code import make_credit_code

from .models import Certificate, Department, Enterprise, Expert, Industry, Officer, User
from .reference import districts

PASSWORD = "fairinspect-demo"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红鹏辉建新林斌宇浩凯晨阳文博雪婷晶慧欣然佳琪俊峰海燕志刚国庆"
# 字号 built from uncommon pairs so that names are invented, not real companies.
ZIHAO_A = "澄砚朔屿珩岚璟翊骁溯檀筠泓昶珂琮霁晞沅泽"
ZIHAO_B = "源峰川禾拓域衡达嘉晟烨铭瑞睿弘澜曜祺翰瀚"
PLACES = [
    "乌鲁木齐",
    "新疆",
    "天山",
    "博格达",
    "红山",
    "雅玛里克",
    "水磨沟",
    "米东",
    "头屯河",
    "达坂城",
]

# (GB/T 4754 小类, word in the name, weight): a plausible mix for the city.
INDUSTRIES = [
    ("2614", "化工", 3),
    ("2619", "精细化工", 2),
    ("2631", "农药", 1),
    ("2511", "石化", 1),
    ("2641", "涂料", 2),
    ("5162", "石油化工物资", 2),
    ("5265", "能源", 3),
    ("1019", "矿业", 2),
    ("0810", "矿业", 1),
    ("1011", "石材", 1),
    ("2672", "烟花", 1),
    ("3110", "钢铁", 1),
    ("3216", "铝业", 1),
    ("3021", "水泥", 3),
    ("3311", "钢结构", 4),
    ("3441", "机械", 4),
    ("1311", "粮油", 3),
    ("1512", "酒业", 2),
    ("1713", "纺织", 2),
    ("2231", "纸业", 2),
    ("2927", "塑料", 3),
    ("3042", "玻璃", 2),
    ("5212", "商贸", 8),
    ("5221", "商贸", 4),
    ("5411", "物流", 5),
    ("5930", "冷链仓储", 3),
    ("5942", "仓储", 1),
    ("6110", "酒店", 4),
    ("6210", "餐饮", 6),
    ("7010", "置业", 3),
    ("4411", "热电", 1),
    ("1830", "服饰", 2),
    ("3130", "钢材", 1),
]
DEPARTMENT_WEIGHTS = {
    "650102": 18,
    "650103": 18,
    "650104": 17,
    "650105": 10,
    "650106": 12,
    "650107": 4,
    "650109": 14,
    "650121": 7,
}


def _person(rng) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _phone(rng) -> str:
    return "1" + rng.choice("3589") + "".join(rng.choice("0123456789") for _ in range(9))


def _weighted(rng, pairs):
    items, weights = zip(*pairs, strict=True)
    return rng.choices(items, weights=weights)[0]


def build(*, rng, today: dt.date, enterprises: int, out) -> None:
    groups = {r: Group.objects.get_or_create(name=r.value)[0] for r in Role}
    city = Department.objects.get(code="650100")
    sections = {d.code: d for d in Department.objects.filter(parent=city)}
    district_bureaus = list(Department.objects.filter(kind="bureau", level="district"))

    officers = _build_officers(rng, today, sections, district_bureaus)
    _build_experts(rng, today)
    ents = _build_enterprises(rng, today, enterprises)
    _build_users(groups, sections, officers, ents)
    out.write(f"Demo: {len(officers)} officers, 10 experts, {len(ents)} enterprises.")


def _build_officers(rng, today, sections, district_bureaus) -> list[Officer]:
    plan = [
        (sections["650100-WH"], ["hazchem"], 5),
        (sections["650100-GM"], ["industry_trade"], 4),
        (sections["650100-FM"], ["mining", "fireworks"], 4),
        (sections["650100-ZD"], ["general"], 5),
        (sections["650100-ZH"], ["general"], 2),
    ]
    plan += [(b, ["general"], 5) for b in district_bureaus]
    officers, n = [], 0
    for dept, scopes, count in plan:
        for _ in range(count):
            n += 1
            o = Officer.objects.create(
                name=_person(rng), department=dept, phone=_phone(rng), post_domains=scopes
            )
            start = today - dt.timedelta(days=rng.randint(200, 1500))
            Certificate.objects.create(
                officer=o,
                number=f"65{dept.division_code[2:4]}{n:06d}",
                issuer="乌鲁木齐市人民政府",
                valid_from=start,
                valid_to=start + dt.timedelta(days=365 * 5),
                scopes=scopes,
            )
            officers.append(o)
    # What the certificate audit (R1.2) must find: people gone with valid certificates,
    # expired and out-of-scope certificates. The first four officers stay clean: they are
    # the demo logins.
    problems = officers[8:]
    rng.shuffle(problems)
    for o, status in zip(
        problems[:5], ["retired", "retired", "off_post", "off_post", "left"], strict=True
    ):
        o.status = status
        o.save(update_fields=["status"])
    for o in problems[5:8]:
        o.certificates.update(valid_to=today - dt.timedelta(days=rng.randint(5, 300)))
    beyond = problems[8]
    beyond.post_domains = ["industry_trade"]
    beyond.save(update_fields=["post_domains"])
    beyond.certificates.update(scopes=["industry_trade", "hazchem"])
    return officers


def _build_experts(rng, today) -> None:
    fields = [["hazchem"], ["mining"], ["industry_trade"], ["fireworks"], ["hazchem", "general"]]
    for i in range(10):
        Expert.objects.create(
            name=_person(rng),
            title=rng.choice(["高级工程师", "注册安全工程师", "教授级高工"]),
            employer=rng.choice(["新疆某安全评价中心", "某高校安全工程学院", "某设计研究院"]),
            specialties=fields[i % len(fields)],
            phone=_phone(rng),
            appointed_from=today - dt.timedelta(days=400),
            appointed_to=today + dt.timedelta(days=700),
        )


def _build_enterprises(rng, today, count: int) -> list[Enterprise]:
    codes = {c: i for c, i in Industry.objects.filter(level=4).values_list("code", "high_risk")}
    names = dict(districts())
    seen_names: set[str] = set()
    rows = []
    for n in range(count):
        district = _weighted(rng, DEPARTMENT_WEIGHTS.items())
        ind, word, _ = rng.choices(INDUSTRIES, weights=[w for *_, w in INDUSTRIES])[0]
        high = codes[ind]
        name = ""
        while not name or name in seen_names:
            name = f"{rng.choice(PLACES)}{rng.choice(ZIHAO_A)}{rng.choice(ZIHAO_B)}{word}有限公司"
            if name in seen_names:
                name = name.replace("有限公司", f"{rng.choice('一二三四五六七八九')}分公司")
        seen_names.add(name)
        grade = _weighted(
            rng,
            [(1, 5), (2, 25), (3, 45), (None, 25)]
            if high
            else [(1, 1), (2, 5), (3, 30), (None, 64)],
        )
        start = today - dt.timedelta(days=rng.randint(30, 1000)) if grade else None
        rows.append(
            Enterprise(
                credit_code=make_credit_code(f"91{district}{n:08d}{rng.choice('0123456789')}"),
                name=name,
                address=f"{names[district]}{rng.choice(['北京', '河北', '长江', '黄河', '西虹', '友好', '克拉玛依', '钱塘江'])}路{rng.randint(1, 999)}号",
                district_code=district,
                industry_id=ind,
                high_risk=high,
                standardization_grade=grade,
                grade_valid_from=start,
                grade_valid_to=start + dt.timedelta(days=365 * 3) if start else None,
                risk_level=_weighted(
                    rng, [("major", 3), ("high", 12), ("general", 45), ("low", 40)]
                ),
                credit_level=_weighted(rng, [("A", 30), ("B", 55), ("C", 12), ("D", 3)]),
                supervising_level="city" if rng.random() < (0.4 if high else 0.05) else "district",
                main_person=_person(rng),
                main_person_phone=_phone(rng),
                contact_name=_person(rng),
                contact_phone=_phone(rng),
            )
        )
    for e in rows:  # bulk_create skips save(), which keeps the search key
        e.set_search_key()
    Enterprise.objects.bulk_create(rows, batch_size=1000)
    return list(Enterprise.objects.order_by("id"))


def _build_users(groups, sections, officers, ents) -> None:
    tianshan = [o for o in officers if o.department.code == "650102"]
    city_hazchem = [o for o in officers if o.department.code == "650100-WH"]
    # The demo enterprise: a high-risk chemical company of 天山区, supervised by the district.
    demo_ent = next(
        e
        for e in ents
        if e.high_risk
        and e.district_code == "650102"
        and e.supervising_level == "district"
        and e.industry_id == "2614"
    )
    spec = [
        ("admin", "系统管理员", [Role.ADMIN], sections["650100-ZH"], None, None),
        ("officer", None, [Role.OFFICER], city_hazchem[0].department, None, city_hazchem[0]),
        ("officer2", None, [Role.OFFICER], city_hazchem[1].department, None, city_hazchem[1]),
        ("ts_officer", None, [Role.OFFICER], tianshan[0].department, None, tianshan[0]),
        ("ts_officer2", None, [Role.OFFICER], tianshan[1].department, None, tianshan[1]),
        ("approver", "李科长", [Role.APPROVER], sections["650100-WH"], None, None),
        ("approver2", "孙科长", [Role.APPROVER], sections["650100-WH"], None, None),
        ("legal", "赵审核", [Role.LEGAL_REVIEWER], sections["650100-FZ"], None, None),
        ("supervisor", "周监督", [Role.SUPERVISOR], sections["650100-ZH"], None, None),
        ("enterprise", f"{demo_ent.name}安全员", [Role.ENTERPRISE], None, demo_ent, None),
        ("expert", "钱专家", [Role.EXPERT], None, None, None),
    ]
    for username, display, roles, dept, ent, officer in spec:
        user = User(
            username=username,
            first_name=display or officer.name,
            department=dept,
            enterprise=ent,
            is_staff=username == "admin",
            is_superuser=username == "admin",
        )
        user.set_password(PASSWORD)
        user.save()
        user.groups.set([groups[r] for r in roles])
        if officer:
            officer.user = user
            officer.save(update_fields=["user"])
