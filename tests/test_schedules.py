"""Pipeline schedules through boto3: cron/rate expressions, time zones, builds started when the simulated
clock passes a due time, the start conditions, and auto-disable after failed scheduled builds."""

from __future__ import annotations

import datetime
import re
import zoneinfo
from pathlib import Path

import pytest
import time_machine
from botocore.exceptions import ClientError

import factories as f
from _model_features import collect

UTC = datetime.timezone.utc
LA = zoneinfo.ZoneInfo("America/Los_Angeles")
MATCH_ONLY = "EXPRESSION_MATCH_ONLY"


def parse(text: str) -> datetime.datetime:
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def scheduled(ib, arn: str) -> list[dict]:
    images = collect(ib, "list_image_pipeline_images", "imageSummaryList", imagePipelineArn=arn)
    return [i for i in images if i["buildType"] == "SCHEDULED"]


@pytest.fixture
def frozen():
    """Thursday 2026-03-05 12:00 UTC; a week from here crosses the US switch to daylight time (Mar 8)."""
    with time_machine.travel(datetime.datetime(2026, 3, 5, 12, 0, tzinfo=UTC), tick=False):
        yield


def pipeline(ib, expression: str, **schedule) -> str:
    schedule.setdefault("pipelineExecutionStartCondition", MATCH_ONLY)
    return f.pipeline(ib, dist=False, schedule=dict(schedule, scheduleExpression=expression))


# -- a week of daily builds --------------------------------------------------------------------------
def test_daily_schedule_builds_seven_times_in_a_week_utc(ib, imagebuilder_mock, frozen):
    arn = pipeline(ib, "cron(0 0 * * ? *)")
    got = ib.get_image_pipeline(imagePipelineArn=arn)["imagePipeline"]
    assert got["dateNextRun"] == "2026-03-06T00:00:00.000Z"
    assert "dateLastRun" not in got
    imagebuilder_mock.clock.advance(days=7)
    builds = scheduled(ib, arn)
    assert [b["dateCreated"] for b in builds] == [f"2026-03-{d:02d}T00:00:00.000Z" for d in range(6, 13)]
    assert all(b["state"]["status"] == "AVAILABLE" for b in builds)
    got = ib.get_image_pipeline(imagePipelineArn=arn)["imagePipeline"]
    assert got["dateLastRun"] == "2026-03-12T00:00:00.000Z"
    assert got["dateNextRun"] == "2026-03-13T00:00:00.000Z"
    assert got["lastRunStatus"] == "AVAILABLE"


def test_daily_schedule_builds_seven_times_in_a_week_in_los_angeles(ib, imagebuilder_mock, frozen):
    arn = pipeline(ib, "cron(0 9 * * ? *)", timezone="America/Los_Angeles")
    got = ib.get_image_pipeline(imagePipelineArn=arn)["imagePipeline"]
    assert got["schedule"]["timezone"] == "America/Los_Angeles"
    for _ in range(7):  # in steps this time
        imagebuilder_mock.clock.advance(days=1)
    builds = scheduled(ib, arn)
    local = [parse(b["dateCreated"]).astimezone(LA) for b in builds]
    assert len(builds) == 7
    assert [(t.day, t.hour, t.minute) for t in local] == [(d, 9, 0) for d in range(5, 12)]
    # 09:00 in Los Angeles is 17:00 UTC before the daylight-time switch on March 8 and 16:00 after it
    assert [parse(b["dateCreated"]).hour for b in builds] == [17, 17, 17, 16, 16, 16, 16]


def test_a_wall_time_repeated_when_clocks_go_back_runs_once(ib, imagebuilder_mock):
    with time_machine.travel(datetime.datetime(2026, 10, 31, 12, 0, tzinfo=UTC), tick=False):
        arn = pipeline(ib, "cron(30 1 * * ? *)", timezone="America/Los_Angeles")
        imagebuilder_mock.clock.advance(days=3)
        assert [b["dateCreated"] for b in scheduled(ib, arn)] == [
            "2026-11-01T08:30:00.000Z", "2026-11-02T09:30:00.000Z", "2026-11-03T09:30:00.000Z"]


def test_a_wall_time_skipped_when_clocks_go_forward_runs_at_the_next_valid_time(ib, imagebuilder_mock):
    with time_machine.travel(datetime.datetime(2026, 3, 7, 12, 0, tzinfo=UTC), tick=False):
        arn = pipeline(ib, "cron(30 2 * * ? *)", timezone="America/Los_Angeles")
        imagebuilder_mock.clock.advance(days=2)
        assert [b["dateCreated"] for b in scheduled(ib, arn)] == [
            "2026-03-08T10:00:00.000Z", "2026-03-09T09:30:00.000Z"]


def test_daily_rate_counts_from_the_pipeline_creation(ib, imagebuilder_mock, frozen):
    arn = pipeline(ib, "rate(1 day)")
    imagebuilder_mock.clock.advance(days=7, minutes=1)
    assert [b["dateCreated"] for b in scheduled(ib, arn)] == [
        f"2026-03-{d:02d}T12:00:00.000Z" for d in range(6, 13)]


def test_hourly_rate_and_repeated_small_steps(ib, imagebuilder_mock, frozen):
    arn = pipeline(ib, "rate(5 hours)")
    for _ in range(24):
        imagebuilder_mock.clock.advance(minutes=30)
    assert [parse(b["dateCreated"]).hour for b in scheduled(ib, arn)] == [17, 22]


@pytest.mark.imagebuilder_mock(progression="clock")
def test_scheduled_build_progresses_from_its_due_time(ib, imagebuilder_mock, frozen):
    arn = pipeline(ib, "cron(0 13 * * ? *)")
    imagebuilder_mock.clock.advance(hours=1, minutes=10)  # 13:10: ten minutes into the build
    [build] = scheduled(ib, arn)
    assert build["dateCreated"] == "2026-03-05T13:00:00.000Z"
    assert build["state"]["status"] == "BUILDING"
    assert ib.get_image_pipeline(imagePipelineArn=arn)["imagePipeline"]["lastRunStatus"] == "BUILDING"
    imagebuilder_mock.clock.advance(hours=2)
    assert scheduled(ib, arn)[0]["state"]["status"] == "AVAILABLE"


def test_disabled_pipeline_does_not_run_on_schedule_until_enabled(ib, imagebuilder_mock, frozen):
    arn = pipeline(ib, "cron(0 0 * * ? *)")
    recipe = ib.get_image_pipeline(imagePipelineArn=arn)["imagePipeline"]
    base = {k: recipe[k] for k in ("imageRecipeArn", "infrastructureConfigurationArn", "schedule")}
    ib.update_image_pipeline(imagePipelineArn=arn, status="DISABLED", **base)
    assert "dateNextRun" not in ib.get_image_pipeline(imagePipelineArn=arn)["imagePipeline"]
    imagebuilder_mock.clock.advance(days=3)
    assert scheduled(ib, arn) == []
    ib.update_image_pipeline(imagePipelineArn=arn, **base)  # status omitted: ENABLED again
    imagebuilder_mock.clock.advance(days=2)
    assert [b["dateCreated"][:10] for b in scheduled(ib, arn)] == ["2026-03-09", "2026-03-10"]


def test_update_without_schedule_stops_scheduled_builds(ib, imagebuilder_mock, frozen):
    arn = pipeline(ib, "cron(0 0 * * ? *)")
    got = ib.get_image_pipeline(imagePipelineArn=arn)["imagePipeline"]
    ib.update_image_pipeline(imagePipelineArn=arn, imageRecipeArn=got["imageRecipeArn"],
                             infrastructureConfigurationArn=got["infrastructureConfigurationArn"])
    imagebuilder_mock.clock.advance(days=3)
    assert scheduled(ib, arn) == []
    assert "schedule" not in ib.get_image_pipeline(imagePipelineArn=arn)["imagePipeline"]


def test_deleted_pipeline_stops_running_and_keeps_its_images(ib, imagebuilder_mock, frozen):
    arn = pipeline(ib, "cron(0 0 * * ? *)")
    imagebuilder_mock.clock.advance(days=2)
    images = [b["arn"] for b in scheduled(ib, arn)]
    assert len(images) == 2
    ib.delete_image_pipeline(imagePipelineArn=arn)
    imagebuilder_mock.clock.advance(days=2)
    builds = ib.list_image_build_versions()["imageSummaryList"]
    assert sorted(b["arn"] for b in builds) == sorted(images)


def test_scheduled_builds_carry_the_pipeline_image_tags(ib, imagebuilder_mock, frozen):
    arn = f.pipeline(ib, dist=False, imageTags={"origin": "schedule"},
                     schedule={"scheduleExpression": "cron(0 0 * * ? *)", "pipelineExecutionStartCondition": MATCH_ONLY})
    imagebuilder_mock.clock.advance(days=1)
    [build] = scheduled(ib, arn)
    image = ib.get_image(imageBuildVersionArn=build["arn"])["image"]
    assert image["tags"] == {"origin": "schedule"}
    assert image["sourcePipelineArn"] == arn and image["buildType"] == "SCHEDULED"


# -- start conditions --------------------------------------------------------------------------------
def test_schedule_echoes_the_default_start_condition_and_no_timezone(ib):
    arn = f.pipeline(ib, dist=False, schedule={"scheduleExpression": "cron(0 0 * * ? *)"})
    schedule = ib.get_image_pipeline(imagePipelineArn=arn)["imagePipeline"]["schedule"]
    assert schedule == {"scheduleExpression": "cron(0 0 * * ? *)",
                        "pipelineExecutionStartCondition": "EXPRESSION_MATCH_AND_DEPENDENCY_UPDATES_AVAILABLE"}


def test_dependency_updates_condition_builds_only_after_a_new_matching_component_version(ib, imagebuilder_mock,
                                                                                         frozen):
    name = f.unique("comp")
    f.component(ib, name=name, version="1.0.0")
    wildcard = f"arn:aws:imagebuilder:us-east-1:123456789012:component/{name}/1.x.x"
    recipe = f.image_recipe(ib, components=[wildcard])
    arn = f.pipeline(ib, recipe=recipe, dist=False, schedule={"scheduleExpression": "cron(0 0 * * ? *)"})
    ib.start_image_pipeline_execution(imagePipelineArn=arn)  # a build with today's dependencies
    imagebuilder_mock.clock.advance(days=3)
    assert scheduled(ib, arn) == []  # three due times, nothing new: no build
    f.component(ib, name=name, version="2.0.0")  # newer, but outside the recipe's 1.x.x filter
    imagebuilder_mock.clock.advance(days=1)
    assert scheduled(ib, arn) == []
    f.component(ib, name=name, version="1.1.0")  # a new version matching 1.x.x
    imagebuilder_mock.clock.advance(days=3)
    builds = scheduled(ib, arn)
    assert [b["dateCreated"] for b in builds] == ["2026-03-10T00:00:00.000Z"]


def test_dependency_updates_condition_builds_at_the_first_due_time_of_a_pipeline_that_never_ran(
        ib, imagebuilder_mock, frozen):
    arn = f.pipeline(ib, dist=False, schedule={"scheduleExpression": "cron(0 0 * * ? *)"})
    imagebuilder_mock.clock.advance(days=3)
    assert [b["dateCreated"][:10] for b in scheduled(ib, arn)] == ["2026-03-06"]


def test_match_only_condition_builds_every_due_time(ib, imagebuilder_mock, frozen):
    arn = pipeline(ib, "cron(0 0 * * ? *)")
    ib.start_image_pipeline_execution(imagePipelineArn=arn)
    imagebuilder_mock.clock.advance(days=3)
    assert len(scheduled(ib, arn)) == 3


# -- failures and auto-disable -----------------------------------------------------------------------
def test_consecutive_scheduled_failures_disable_the_pipeline(ib, imagebuilder_mock, frozen):
    arn = pipeline(ib, "cron(0 0 * * ? *)", autoDisablePolicy={"failureCount": 2})
    imagebuilder_mock.fail_builds(count=5, match=arn)
    imagebuilder_mock.clock.advance(days=5)
    builds = scheduled(ib, arn)
    assert [b["state"]["status"] for b in builds] == ["FAILED", "FAILED"]  # then disabled: no more runs
    got = ib.get_image_pipeline(imagePipelineArn=arn)["imagePipeline"]
    assert got["status"] == "DISABLED"
    assert got["consecutiveFailures"] == 2
    assert got["lastRunStatus"] == "FAILED"
    assert got["schedule"]["autoDisablePolicy"] == {"failureCount": 2}


def test_without_a_policy_five_scheduled_failures_disable_the_pipeline(ib, imagebuilder_mock, frozen):
    arn = pipeline(ib, "cron(0 0 * * ? *)")
    imagebuilder_mock.fail_builds(count=10, match=arn)
    imagebuilder_mock.clock.advance(days=8)
    assert len(scheduled(ib, arn)) == 5
    assert ib.get_image_pipeline(imagePipelineArn=arn)["imagePipeline"]["status"] == "DISABLED"


def test_manual_failure_keeps_the_count_and_success_or_update_resets_it(ib, imagebuilder_mock, frozen):
    arn = pipeline(ib, "cron(0 0 * * ? *)", autoDisablePolicy={"failureCount": 3})
    imagebuilder_mock.fail_builds(count=1, match=arn)
    imagebuilder_mock.clock.advance(days=1)
    got = ib.get_image_pipeline(imagePipelineArn=arn)["imagePipeline"]
    assert got["consecutiveFailures"] == 1
    imagebuilder_mock.fail_builds(count=1, match=arn)
    ib.start_image_pipeline_execution(imagePipelineArn=arn)  # a manual build that fails
    got = ib.get_image_pipeline(imagePipelineArn=arn)["imagePipeline"]
    assert (got["consecutiveFailures"], got["lastRunStatus"]) == (1, "FAILED")
    ib.start_image_pipeline_execution(imagePipelineArn=arn)  # a manual success resets
    assert ib.get_image_pipeline(imagePipelineArn=arn)["imagePipeline"]["consecutiveFailures"] == 0
    imagebuilder_mock.fail_builds(count=1, match=arn)
    imagebuilder_mock.clock.advance(days=1)
    assert ib.get_image_pipeline(imagePipelineArn=arn)["imagePipeline"]["consecutiveFailures"] == 1
    ib.update_image_pipeline(imagePipelineArn=arn, imageRecipeArn=got["imageRecipeArn"],
                             infrastructureConfigurationArn=got["infrastructureConfigurationArn"],
                             schedule=got["schedule"])
    assert ib.get_image_pipeline(imagePipelineArn=arn)["imagePipeline"]["consecutiveFailures"] == 0


# -- expressions -------------------------------------------------------------------------------------
@pytest.mark.parametrize("expression, timezone, next_run", [
    ("cron(0 10 * * ? *)", None, "2026-03-06T10:00:00.000Z"),
    ("cron(15 12 * * ? *)", None, "2026-03-05T12:15:00.000Z"),
    ("cron(0 18 ? * mon-fri *)", None, "2026-03-05T18:00:00.000Z"),
    ("cron(0 18 ? * 2-6 *)", None, "2026-03-05T18:00:00.000Z"),  # 1 = SUN .. 7 = SAT
    ("cron(0 10 ? * 1 *)", None, "2026-03-08T10:00:00.000Z"),  # Sunday
    ("cron(0 8 1 * ? *)", None, "2026-04-01T08:00:00.000Z"),
    ("cron(30 22 ? * tue#2 *)", None, "2026-03-10T22:30:00.000Z"),
    ("cron(0 8 L * ? *)", None, "2026-03-31T08:00:00.000Z"),
    ("cron(0 8 LW * ? *)", None, "2026-03-31T08:00:00.000Z"),
    ("cron(0 8 14W * ? *)", None, "2026-03-13T08:00:00.000Z"),  # the 14th is a Saturday: Friday the 13th
    ("cron(0 8 ? * 6L *)", None, "2026-03-27T08:00:00.000Z"),  # the month's last Friday
    ("cron(0 8 ? * sat#2,4 *)", None, "2026-03-14T08:00:00.000Z"),  # second and fourth Saturday (user guide)
    ("cron(0 8 ? * L *)", None, "2026-03-07T08:00:00.000Z"),  # L alone: the last day of the week, SAT
    ("cron(0 8 1 jan,MAR ? 2027)", None, "2027-01-01T08:00:00.000Z"),
    ("cron(0/20 * * * ? *)", None, "2026-03-05T12:20:00.000Z"),
    ("cron(0 0 1 1 ? 2028)", None, "2028-01-01T00:00:00.000Z"),
    ("cron(0 9 * * ? *)", "Asia/Tokyo", "2026-03-06T00:00:00.000Z"),
    ("rate(1 minute)", None, "2026-03-05T12:01:00.000Z"),
    ("rate(90 minutes)", None, "2026-03-05T13:30:00.000Z"),
    ("rate(1 hour)", None, "2026-03-05T13:00:00.000Z"),
    ("rate(2 days)", None, "2026-03-07T12:00:00.000Z"),
])
def test_valid_expressions_are_accepted_with_their_next_run(ib, frozen, expression, timezone, next_run):
    # frozen at Thursday 2026-03-05 12:00 UTC
    schedule = {"scheduleExpression": expression}
    if timezone:
        schedule["timezone"] = timezone
    arn = f.pipeline(ib, dist=False, schedule=schedule)
    got = ib.get_image_pipeline(imagePipelineArn=arn)["imagePipeline"]
    assert got["schedule"]["scheduleExpression"] == expression
    assert got["dateNextRun"] == next_run


_PREFIX = "The value supplied for parameter 'schedule.scheduleExpression' is not valid. Invalid schedule expression."


@pytest.mark.parametrize("expression", [
    "cron(0 0 * * *)",  # five fields
    "cron(0 0 * * ? * *)",  # seven fields
    "cron(0 0 * * * *)",  # neither day field is ?
    "cron(0 0 ? * ? *)",  # both day fields are ?
    "cron(0 ? * * ? *)",  # ? outside the day fields
    "cron(60 0 * * ? *)",
    "cron(0 24 * * ? *)",
    "cron(0 0 32 * ? *)",
    "cron(0 0 * 13 ? *)",
    "cron(0 0 ? * 8 *)",
    "cron(0 0 * * ? 1969)",
    "cron(0 0 * * ? 2200)",
    "cron(0 0 ? * fri#6 *)",
    "cron(0 0 * foo ? *)",
    "cron(0 0 ? * funday *)",
    "cron(0 0 L-2 * ? *)",
    "cron(0 0 ? * 1W *)",  # W only in day-of-month
    "cron(0 0 1#2 * ? *)",  # # only in day-of-week
    "cron(0 0 ? * 1/2 *)",  # no increments in day-of-week
    "cron(*/0 0 * * ? *)",
    "cron(0 0 15W,L * ? *)",  # W in a list
    "cron(0 0 ? * sat#2,6 *)",  # the number after a # list item is an nth, 1-5
    "0 0 * * ? *",  # no cron( ) around it
    "rate(1 days)",  # 1 takes the singular
    "rate(5 hour)",  # more than 1 takes the plural
    "rate(0 minutes)",
    "rate(1 week)",
    "rate(30 seconds)",
    "rate(-1 days)",
    "rate(day)",
])
def test_invalid_expressions_are_rejected_at_create(ib, expression):
    with pytest.raises(ClientError) as exc:
        f.pipeline(ib, dist=False, schedule={"scheduleExpression": expression})
    response = exc.value.response
    assert response["Error"]["Code"] == "InvalidParameterValueException"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert response["Error"]["Message"].startswith(_PREFIX)
    assert ib.list_image_pipelines()["imagePipelineList"] == []


def test_five_field_cron_gets_the_service_message_verbatim(ib):
    with pytest.raises(ClientError) as exc:
        f.pipeline(ib, dist=False, schedule={"scheduleExpression": "cron(0 0 * * *)"})
    assert exc.value.response["Error"]["Message"] == (
        "The value supplied for parameter 'schedule.scheduleExpression' is not valid. Invalid schedule expression. "
        "Details: Invalid CRON expression: error at position 9, details: Unexpected end of expression.")


def test_invalid_expression_is_rejected_at_update_and_changes_nothing(ib):
    arn = f.pipeline(ib, dist=False, schedule={"scheduleExpression": "rate(1 day)"})
    got = ib.get_image_pipeline(imagePipelineArn=arn)["imagePipeline"]
    with pytest.raises(ClientError) as exc:
        ib.update_image_pipeline(imagePipelineArn=arn, imageRecipeArn=got["imageRecipeArn"],
                                 infrastructureConfigurationArn=got["infrastructureConfigurationArn"],
                                 schedule={"scheduleExpression": "rate(1 days)"})
    assert exc.value.response["Error"]["Code"] == "InvalidParameterValueException"
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert ib.get_image_pipeline(imagePipelineArn=arn)["imagePipeline"]["schedule"]["scheduleExpression"] == \
        "rate(1 day)"


@pytest.mark.parametrize("timezone", ["Mars/Olympus_Mons", "America/Nowhere", "UTC/../../etc"])
def test_unknown_time_zone_is_rejected(ib, timezone):
    with pytest.raises(ClientError) as exc:
        f.pipeline(ib, dist=False, schedule={"scheduleExpression": "cron(0 0 * * ? *)", "timezone": timezone})
    response = exc.value.response
    assert (response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]) == \
        ("InvalidParameterValueException", 400)
    assert "'schedule.timezone'" in response["Error"]["Message"]


def test_schedule_without_an_expression_is_rejected(ib):
    with pytest.raises(ClientError) as exc:
        f.pipeline(ib, dist=False, schedule={"pipelineExecutionStartCondition": MATCH_ONLY})
    response = exc.value.response
    assert (response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]) == \
        ("InvalidParameterValueException", 400)
    assert "'schedule.scheduleExpression'" in response["Error"]["Message"]


def test_auto_disable_failure_count_out_of_range_is_rejected(ib):
    with pytest.raises(ClientError) as exc:
        f.pipeline(ib, dist=False, schedule={"scheduleExpression": "cron(0 0 * * ? *)",
                                             "autoDisablePolicy": {"failureCount": 11}})
    response = exc.value.response
    assert (response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]) == \
        ("InvalidParameterValueException", 400)


# -- the user page's examples run as they are --------------------------------------------------------
_PAGE = Path(__file__).resolve().parent.parent / "docs" / "schedules.md"
_EXAMPLES = re.findall(r"```python\n(.*?)```", _PAGE.read_text(), re.S)


@pytest.mark.parametrize("index", range(len(_EXAMPLES)))
def test_docs_example_runs(index, capsys):
    assert len(_EXAMPLES) == 4
    exec(compile(_EXAMPLES[index], f"{_PAGE}:example{index}", "exec"), {"__name__": "docs_example"})
