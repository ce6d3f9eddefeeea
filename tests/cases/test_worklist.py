"""Issue 14: the approver's and the legal reviewer's start pages list the cases waiting for
them (R13.1), read from the case workflow table."""

from django.urls import reverse


def test_r13_1_a_case_awaiting_filing_is_in_the_approvers_queue_and_not_the_reviewers(
    client, new_case, approver, legal_reviewer
):
    case = new_case()
    client.force_login(approver)
    html = client.get(reverse("work:approvals")).content.decode()
    assert reverse("cases:case_detail", args=[case.pk]) in html
    client.force_login(legal_reviewer)
    html = client.get(reverse("work:review")).content.decode()
    assert reverse("cases:case_detail", args=[case.pk]) not in html


def test_r13_1_a_notified_case_waits_for_the_legal_reviewer(
    client, new_case, walk, approver, legal_reviewer, npl
):
    case = walk(new_case(), "record_statement")
    assert case.status == "notified"
    client.force_login(legal_reviewer)
    html = client.get(reverse("work:review")).content.decode()
    assert reverse("cases:case_detail", args=[case.pk]) in html
    client.force_login(approver)
    html = client.get(reverse("work:approvals")).content.decode()
    assert reverse("cases:case_detail", args=[case.pk]) not in html
