"""Typed bodies shared by the API and the HTML forms (core.schemas.validate_form)."""

from __future__ import annotations

from typing import Literal

from ninja import Field

from fairinspect.core.schemas import Bool, Date, Id, Input, Year


class EnterpriseMemberIn(Input):
    name: str = Field(min_length=1, max_length=50)
    role: Literal["leader", "safety_manager", "union", "worker_rep", "safety_engineer"]
    position: str = Field("", max_length=100)
    certificate: str = Field("", max_length=50)
    joined_on: Date


class EnterpriseMemberLeaveIn(Input):
    left_on: Date
    note: str = Field("", max_length=300)


class EnterpriseSelfCheckAnswerIn(Input):
    item: str = Field(min_length=1, max_length=40)
    result: Literal["ok", "hazard", "na"]
    place: str = Field("", max_length=200)
    note: str = Field("", max_length=2000)
    inspection_item: str = Field("", max_length=30)  # 检查事项 code, for a hazard
    measures: str = Field("", max_length=2000)
    deadline: Date | None = None


class EnterpriseSelfCheckIn(Input):
    checked_on: Date
    participant_ids: list[Id] = Field(min_length=1, max_length=50)
    main_person_took_part: Bool = False
    reported_to_main_person_on: Date | None = None
    summary: str = Field("", max_length=4000)
    answers: list[EnterpriseSelfCheckAnswerIn] = Field(min_length=1, max_length=200)


class EnterpriseReviewIn(Input):
    accepted: Bool
    note: str = Field("", max_length=2000)


class EnterpriseSelfInspectionIn(Input):
    year: Year
    report: str = Field(min_length=1, max_length=20000)


class EnterpriseSelfInspectionDecisionIn(Input):
    accept: Bool
    note: str = Field("", max_length=2000)
