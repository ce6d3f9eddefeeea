"""The assistant (R4.4): off by default (template drafts, the system works fully); on, it
asks an OpenAI-compatible endpoint — here a fake server started by the test, never a real
one. Every draft is marked as a draft, logged, and enters a record only edited and confirmed."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from fairinspect.monitoring.models import AssistantLog


@pytest.fixture
def fake_llm():
    """A local OpenAI-compatible /chat/completions server that records what it was asked."""
    seen: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            seen.append(
                {"path": self.path, "auth": self.headers.get("Authorization"), "body": body}
            )
            answer = {
                "choices": [
                    {
                        "index": 0,
                        "message": {
                            "role": "assistant",
                            "content": "预警情况：GT-101 出现橙色预警，企业已签收。",
                        },
                    }
                ]
            }
            data = json.dumps(answer, ensure_ascii=False).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1", seen
    server.shutdown()


def _draft(client, api_token, user, **payload):
    return client.post(
        "/api/v1/monitoring/assistant/drafts",
        payload,
        content_type="application/json",
        **api_token(user),
    )


def test_r4_4_without_an_endpoint_the_draft_is_a_template_over_the_records(
    client, api_token, tianshan_officer, tianshan_enterprise, settings
):
    settings.ASSISTANT_BASE_URL = ""
    r = _draft(
        client,
        api_token,
        tianshan_officer,
        purpose="warning_digest",
        enterprise_id=tianshan_enterprise.pk,
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["source"] == "template" and body["is_draft"] is True and "草稿" in body["notice"]
    assert tianshan_enterprise.name in body["text"]
    log = AssistantLog.objects.get(pk=body["log_id"])
    assert log.endpoint == "" and log.prompt and log.answer == body["text"]


def test_r4_4_with_an_endpoint_the_prompt_goes_to_it_and_prompt_and_answer_are_logged(
    fake_llm, client, api_token, tianshan_officer, tianshan_enterprise, settings
):
    url, seen = fake_llm
    settings.ASSISTANT_BASE_URL = url
    settings.ASSISTANT_API_KEY = "sk-test"
    settings.ASSISTANT_MODEL = "deepseek-chat"
    body = _draft(
        client,
        api_token,
        tianshan_officer,
        purpose="warning_digest",
        enterprise_id=tianshan_enterprise.pk,
    ).json()
    assert body["source"] == "model" and body["text"].startswith("预警情况")
    assert seen[0]["path"] == "/v1/chat/completions" and seen[0]["auth"] == "Bearer sk-test"
    assert seen[0]["body"]["model"] == "deepseek-chat"
    assert tianshan_enterprise.name in seen[0]["body"]["messages"][1]["content"]
    log = AssistantLog.objects.get(pk=body["log_id"])
    assert log.endpoint == url and log.answer == body["text"] and log.error == ""


def test_r4_4_an_endpoint_that_fails_leaves_a_template_draft_and_the_error_logged(
    client, api_token, tianshan_officer, settings
):
    settings.ASSISTANT_BASE_URL = "http://127.0.0.1:9/v1"  # nothing listens on the discard port
    settings.ASSISTANT_TIMEOUT = 2
    body = _draft(
        client,
        api_token,
        tianshan_officer,
        purpose="reasoning",
        facts="企业未按规定设置可燃气体报警装置",
    ).json()
    assert body["source"] == "template" and "可燃气体" in body["text"]
    assert AssistantLog.objects.get(pk=body["log_id"]).error


def test_r4_4_a_draft_enters_a_record_only_edited_and_confirmed_by_the_person_who_asked(
    client, api_token, tianshan_officer, city_officer, enterprise_user, settings
):
    settings.ASSISTANT_BASE_URL = ""
    body = _draft(
        client, api_token, tianshan_officer, purpose="reasoning", facts="探测器失效 3 天"
    ).json()
    confirm = f"/api/v1/monitoring/assistant/drafts/{body['log_id']}/confirm"
    unchanged = client.post(
        confirm,
        {"text": body["text"]},
        content_type="application/json",
        **api_token(tianshan_officer),
    )
    assert unchanged.status_code == 422 and unchanged.json()["code"] == "draft_unedited"
    other = client.post(
        confirm, {"text": "改过的文字"}, content_type="application/json", **api_token(city_officer)
    )
    assert other.status_code == 403
    ok = client.post(
        confirm,
        {"text": body["text"] + "\n经核实属实。"},
        content_type="application/json",
        **api_token(tianshan_officer),
    )
    assert ok.status_code == 200
    log = AssistantLog.objects.get(pk=body["log_id"])
    assert log.confirmed_by == tianshan_officer and log.confirmed_text.endswith("经核实属实。")
    assert _draft(client, api_token, enterprise_user, purpose="reasoning").status_code == 403
