"""{% perlanguage %}: content that depends only on the language (translated words, static
and URL paths) is rendered once per language and URL prefix, then reused (issue 13: the
pre-check's field-script strings cost 0.5 ms a request)."""

from __future__ import annotations

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.urls import set_script_prefix
from django.utils import translation

SOURCE = (
    '{% load i18n fi %}{% perlanguage %}{% translate "退出" as s %}[{{ s }}|{{ n }}]'
    "<a href=\"{% url 'home' %}\">{% endperlanguage %}{{ s }}"
)


def test_issue_13_rendered_once_per_language_and_prefix_then_reused():
    t = Template(SOURCE)
    with translation.override("zh-hans"):
        zh = t.render(Context({"n": 1}))
        # Rendered once: a later render reuses it (n is not re-read: the tag's contract).
        assert t.render(Context({"n": 2})) == zh
    with translation.override("en"):
        en = t.render(Context({"n": 3}))
    assert zh.startswith("[退出|1]") and en.startswith("[Log out|3]"), (zh, en)
    try:
        set_script_prefix("/fi/")
        with translation.override("en"):
            prefixed = t.render(Context({"n": 4}))
    finally:
        set_script_prefix("/")
    assert '<a href="/fi/">' in prefixed and '<a href="/">' in en


def test_issue_13_what_the_content_sets_stays_inside_it():
    with translation.override("zh-hans"):
        out = Template(SOURCE).render(Context({"n": 1}))
    assert out.endswith('<a href="/">'), out  # {{ s }} after the tag renders nothing


def test_issue_13_perlanguage_takes_no_arguments():
    with pytest.raises(TemplateSyntaxError, match="no arguments"):
        Template("{% load fi %}{% perlanguage LANG %}x{% endperlanguage %}")


def test_issue_13_perlanguage_refuses_a_csrf_token_inside():
    with pytest.raises(TemplateSyntaxError, match="csrf_token"):
        Template("{% load fi %}{% perlanguage %}<form>{% csrf_token %}</form>{% endperlanguage %}")
