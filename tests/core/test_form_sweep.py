"""Issue 8, item 5: HTML forms use the same cleaning as the API. A sweep over every HTML POST
form the pages offer (found by crawling the pages of every persona over the demo data, so a
form added later is swept without editing this file): each typed field (number, date,
date-time) is sent a wrong type in turn, with the form's other fields as the page filled
them. The answer must be the form re-rendered (200 or 422, never a 500 and never a redirect
that drops what was typed) with an error naming the field, nothing saved (every table's row
count unchanged) and the typed value kept in the re-rendered form.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import deque
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.db import transaction
from django.urls import Resolver404, resolve
from lxml import html as lxml_html

TODAY = dt.date(2025, 6, 18)
WRONG = "abc"
TYPED = ("number", "date", "datetime-local", "time")
PERSONAS = ("officer", "approver", "legal", "supervisor", "enterprise", "admin", None)
START = (
    "/work/today/",
    "/work/approvals/",
    "/work/review/",
    "/visits/",
    "/visits/new/",
    "/visits/applications/",
    "/visits/referrals/",
    "/planning/",
    "/planning/plans/",
    "/planning/tasks/",
    "/planning/tasks/new/",
    "/planning/special/",
    "/planning/special/new/",
    "/planning/joint/",
    "/planning/joint/new/",
    "/planning/conflicts/",
    "/cases/",
    "/cases/new/",
    "/cases/accidents/new/",
    "/cases/dishonesty/",
    "/cases/mine/",
    "/cases/no-penalty/manage/",
    "/items/manage/",
    "/items/guidance/manage/",
    "/supervision/",
    "/supervision/reviews/",
    "/supervision/training/",
    "/supervision/breaches/",
    "/supervision/complaints/",
    "/supervision/complaints/new/",
    "/supervision/complaints/entry/",
    "/supervision/conduct/",
    "/monitoring/",
    "/monitoring/warnings/",
    "/registry/enterprises/",
    "/registry/officers/",
    "/registry/import/",
    "/registry/tokens/",
)
SKIP_PREFIXES = ("/logout", "/admin", "/api/", "/i18n", "/static", "/healthz", "/readyz")
SKIP_SUFFIXES = (".xlsx", ".csv", ".docx", ".json", ".pdf", ".png", ".svg")
PAGES_PER_ROUTE = 2  # the same page for two records shows the same forms
# Rows written by the machinery of a request, not by the form: sessions, login attempts.
NOT_DATA = {"sessions.session", "axes.accessattempt", "axes.accesslog", "axes.accessfailurelog"}


@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker):
    """The demo data built once for the module inside a transaction rolled back afterwards."""
    from importlib import import_module

    from django.db import transaction

    from fairinspect.core.management.commands.demo import BUILDERS

    class Quiet:
        def write(self, *a, **k):
            pass

    clock = time_machine.travel(dt.datetime(2025, 6, 18, 10, tzinfo=ZoneInfo("Asia/Shanghai")))
    clock.start()
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            rng = random.Random(20250618)
            for path in BUILDERS:
                import_module(path).build(rng=rng, today=TODAY, enterprises=800, out=Quiet())
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            clock.stop()


def _route(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.route


def _state_pages(user) -> list[str]:
    """One page per state of each record with steps (visits, plans, cases, special
    inspections, tasks), so a form shown only in one state is found; and the new-visit form
    for an enterprise the user may see."""
    from django.urls import reverse

    from fairinspect.cases.models import Case
    from fairinspect.planning.models import AnnualPlan, SamplingTask, SpecialInspection
    from fairinspect.registry.access import enterprises_visible_to
    from fairinspect.visits.models import Visit

    pages = []
    for model, name in (
        (Visit, "visits:detail"),
        (AnnualPlan, "planning:plan_detail"),
        (Case, "cases:case_detail"),
        (SpecialInspection, "planning:special_detail"),
        (SamplingTask, "planning:task_detail"),
    ):
        for status in model.objects.values_list("status", flat=True).distinct():
            row = model.objects.filter(status=status).order_by("pk").first()
            pages.append(reverse(name, args=[row.pk]))
    ent = enterprises_visible_to(user).order_by("pk").first() if user else None
    if ent is not None:
        pages.append(f"/visits/new/?enterprise={ent.credit_code}")
    return pages


def _crawl(client, user) -> dict[tuple, tuple[str, dict]]:
    """Every POST form the persona's pages show, keyed by (route of its action, its field
    names): the page it is on and the form element."""
    seen_routes: dict[str, int] = {}
    forced = _state_pages(user)
    queue = deque([*forced, *START])
    visited: set[str] = set()
    forms: dict[tuple, tuple[str, object]] = {}
    while queue:
        path = queue.popleft()
        if path in visited or path.startswith(SKIP_PREFIXES) or path.endswith(SKIP_SUFFIXES):
            continue
        visited.add(path)
        route = _route(urlsplit(path).path)
        if route is None:
            continue
        if path not in forced and seen_routes.get(route, 0) >= PAGES_PER_ROUTE:
            continue
        seen_routes[route] = seen_routes.get(route, 0) + 1
        r = client.get(path)
        if r.status_code != 200 or "text/html" not in r.get("Content-Type", ""):
            continue
        doc = lxml_html.fromstring(r.content.decode())
        for a in doc.iter("a"):
            href = a.get("href") or ""
            if href.startswith("/") and not href.startswith("//"):
                queue.append(href.split("#")[0])
        for form in doc.iter("form"):
            if (form.get("method") or "get").lower() != "post":
                continue
            action = form.get("action") or urlsplit(path).path
            action_route = _route(urlsplit(action).path)
            names = tuple(sorted({el.get("name") for el in _fields(form) if el.get("name")}))
            key = (action_route, names)
            if action_route and key not in forms:
                forms[key] = (action, form)
    return forms


def _fields(form):
    return [el for el in form.iter("input", "select", "textarea")]


def _filled(form, credit_code: str) -> dict[str, list[str]]:
    """What a user would send: the values the page rendered, with the empty text boxes filled
    (a short text; an enterprise's credit code where one is asked for), so the only thing
    wrong is the typed field under test."""
    data: dict[str, list[str]] = {}
    dates = 0
    for el in _fields(form):
        name = el.get("name")
        if not name or el.get("disabled") is not None:
            continue
        if el.tag == "input":
            kind = (el.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if el.get("checked") is not None:
                    data.setdefault(name, []).append(el.get("value") or "on")
                continue
            if kind in ("submit", "button", "file", "image", "reset"):
                continue
            value = el.get("value") or ""
            if not value and kind in ("text", "search", "tel", "email"):
                value = "" if _optional(form, el) else _text_for(name, el, credit_code)
            elif not value and kind in TYPED:
                # Valid values in the other typed fields (later dates for later fields, so
                # a window ends after it starts): only the field under test is wrong.
                dates += 1
                value = {
                    "number": el.get("min") or "1",
                    "date": (TODAY + dt.timedelta(days=7 * dates)).isoformat(),
                    "datetime-local": f"{TODAY + dt.timedelta(days=7 * dates)}T09:00",
                    "time": "09:00",
                }[kind]
            data.setdefault(name, []).append(value)
        elif el.tag == "textarea":
            data.setdefault(name, []).append(el.text_content() or "检查说明")
        else:
            options = list(el.iter("option"))
            chosen = [o for o in options if o.get("selected") is not None] or options[:1]
            for o in chosen:
                data.setdefault(name, []).append(o.get("value", o.text_content()))
    return data


def _optional(form, el) -> bool:
    """A box the form marks as optional or as the alternative to another (`或抽取比例`,
    `（可不填）`): a user leaves it empty."""
    for lab in form.iter("label"):
        if el.get("id") and lab.get("for") == el.get("id"):
            text = lab.text_content().strip()
            return text.startswith("或") or any(w in text for w in ("可不填", "留空", "可选"))
    return False


def _text_for(name: str, el, credit_code: str) -> str:
    if "credit" in name or name in ("enterprise", "enterprises"):
        return credit_code
    if "phone" in name:
        return "13800000000"
    if (el.get("inputmode") or "") in ("decimal", "numeric"):
        return "1"
    return "检查"


def _typed(form) -> list[str]:
    out = []
    for el in form.iter("input"):
        if (el.get("type") or "").lower() in TYPED and el.get("name"):
            out.append(el.get("name"))
    return sorted(set(out))


def _counts() -> dict[str, int]:
    return {
        m._meta.label_lower: m.objects.count()
        for m in apps.get_models()
        if m._meta.managed and not m._meta.proxy and m._meta.label_lower not in NOT_DATA
    }


def _users():
    from fairinspect.registry.models import User

    return {p: User.objects.get(username=p) for p in PERSONAS if p}


@pytest.mark.django_db
def test_r13_1_every_html_form_refuses_a_wrong_type_naming_the_field_and_saves_nothing(
    client, demo_world
):
    from fairinspect.registry.models import Enterprise

    users = _users()
    credit_code = Enterprise.objects.order_by("pk").first().credit_code
    found: dict[tuple, tuple[str | None, str, object]] = {}
    for persona in PERSONAS:
        client.logout()
        if persona:
            client.force_login(users[persona])
        for key, (action, form) in _crawl(client, users.get(persona)).items():
            found.setdefault(key, (persona, action, form))
    swept = [(k, v) for k, v in found.items() if _typed(v[2])]
    # The forms with typed fields the pages offer today: plans, lines, tasks, special
    # inspections, joint visits, visits, applications, referrals, case steps, accidents,
    # reviews, training, the item list's filing. A crawl that finds far fewer is broken.
    assert len(swept) >= 12, sorted(k for k, _ in swept)
    for (route, _n), (persona, _action, form) in swept:  # shown with -s
        print(f"swept {route} as {persona}: {', '.join(_typed(form))}")
    failures = []
    for (route, _names), (persona, action, form) in sorted(swept, key=lambda x: str(x[0])):
        client.logout()
        if persona:
            client.force_login(users[persona])
        for field in _typed(form):
            data = _filled(form, credit_code)
            data[field] = [WRONG]
            with transaction.atomic():  # each attempt rolled back: the next starts the same
                before = _counts()
                try:
                    r = client.post(action, data)
                except Exception as exc:  # a server error: the test client re-raises it
                    failures.append(f"{persona} POST {action} {field}: {exc!r}")
                    transaction.set_rollback(True)
                    continue
                after = _counts()
                transaction.set_rollback(True)
            body = r.content.decode(errors="replace")
            problems = []
            if r.status_code not in (200, 422):
                problems.append(f"status {r.status_code}")
            if before != after:
                changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
                problems.append(f"saved {changed}")
            if r.status_code in (200, 422):
                doc = lxml_html.fromstring(body)
                alerts = " ".join(
                    e.text_content()
                    for e in doc.xpath(
                        '//*[@role="alert"] | //*[contains(@class,"errorlist")]'
                        ' | //*[contains(@class,"msg-error")]'
                    )
                )
                label = _label(form, field)
                if field not in alerts and (not label or label not in alerts):
                    problems.append(f"no error naming {field!r} ({label!r}) in {alerts[:200]!r}")
                kept = doc.xpath(f'//input[@name="{field}"]/@value')
                if WRONG not in kept:
                    problems.append(f"typed value not kept ({kept[:3]})")
            if problems:
                failures.append(f"{persona} POST {action} [{route}] {field}: {'; '.join(problems)}")
    assert not failures, "\n".join(failures)


def _label(form, field: str) -> str:
    """The field's label without its colon or a parenthesised hint (`希望检查日期（可选）`)."""
    for el in form.iter("input"):
        if el.get("name") == field and el.get("id"):
            for lab in form.iter("label"):
                if lab.get("for") == el.get("id"):
                    text = re.sub(r"[（(].*?[）)]", "", lab.text_content())
                    return text.strip().rstrip(":：").strip()
    return ""
