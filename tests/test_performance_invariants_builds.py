"""What the build speed-ups must not change: date texts, latestVersionReferences shared
with the next image of a version, the plan a deferred run reuses, and a one-pass run's compact journal."""

from __future__ import annotations

import datetime
import random

import pytest

import factories as f
from imagebuilder_mock._backend import clock, lifecycle
from imagebuilder_mock._backend.context import RequestContext
from imagebuilder_mock._resources.images import outputs as image_outputs
from imagebuilder_mock._resources.workflows import runtime as workflow_runtime

ACCOUNT, REGION = "123456789012", "us-east-1"
UTC = datetime.timezone.utc


def _moments(count: int = 4000) -> list[datetime.datetime]:
    """Runs of moments within a second, across seconds and years (zero fractions, other time zones)."""
    rng = random.Random(7)
    out = []
    for _ in range(count):
        base = rng.choice([1.7e9, 1.7e9 + 1, rng.uniform(-6e10, 4e9), float(rng.randint(0, 4 * 10**9))])
        moment = datetime.datetime.fromtimestamp(base + rng.choice([0, 0.0004, 0.0017, 0.5, 0.999999]), UTC)
        if rng.random() < 0.1:
            moment = moment.astimezone(datetime.timezone(datetime.timedelta(hours=-5, minutes=-30)))
        out.append(moment)
    out.append(datetime.datetime(5, 1, 2, 3, 4, 5, 6000, tzinfo=UTC))  # strftime's %Y does not pad years < 1000
    return out


def test_iso_texts_are_strftimes_with_milliseconds():
    for moment in _moments():
        utc = moment.astimezone(UTC)
        assert clock.iso(moment) == utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
    assert clock.iso(datetime.datetime(2026, 1, 2, 3, 4, 5, 6789, tzinfo=UTC)) == "2026-01-02T03:04:05.006Z"


def test_build_dates_are_strftimes():
    for moment in _moments():
        assert image_outputs.build_date(moment) == moment.astimezone(UTC).strftime("%Y-%m-%dT%H-%M-%S.%fZ")


# -- latestVersionReferences --------------------------------------------------------------------------------
def _references(arn: str) -> dict:
    version_arn = arn.rsplit("/", 1)[0]
    stem, version = version_arn.rsplit("/", 1)
    major, minor, _ = version.split(".")
    return {"latestVersionArn": f"{stem}/x.x.x", "latestMajorVersionArn": f"{stem}/{major}.x.x",
            "latestMinorVersionArn": f"{stem}/{major}.{minor}.x", "latestPatchVersionArn": version_arn}


def test_image_version_references_are_each_images_own(ib):
    infra = f.infrastructure(ib)
    recipes = [f.image_recipe(ib, name="refs-a"), f.image_recipe(ib, name="refs-b", version="2.3.4")]
    created = []
    for recipe in recipes + recipes[::-1]:
        response = ib.create_image(imageRecipeArn=recipe, infrastructureConfigurationArn=infra)
        created.append(response["imageBuildVersionArn"])
        assert response["latestVersionReferences"] == _references(response["imageBuildVersionArn"])
    for arn in created + created[::-1]:
        assert ib.get_image(imageBuildVersionArn=arn)["latestVersionReferences"] == _references(arn)


# -- the plan `_deferrable` keeps for the run that follows ------------------------------------------------
def test_a_kept_plan_is_used_only_for_its_own_image_and_request(ib, imagebuilder_mock):
    plain = ib.create_image(imageRecipeArn=f.image_recipe(ib), infrastructureConfigurationArn=f.infrastructure(ib))
    image = imagebuilder_mock.backend.store(ACCOUNT, REGION).images[plain["imageBuildVersionArn"]]
    container = dict(image, type="DOCKER")  # another default plan (the container workflows)
    ctx = RequestContext(imagebuilder_mock.backend, ACCOUNT, REGION, "GetImage", "r1")
    assert workflow_runtime._plan(ctx, image) != workflow_runtime._plan(ctx, container)
    assert workflow_runtime._deferrable(ctx, image)
    assert workflow_runtime._planned(ctx, container) is workflow_runtime._plan(ctx, container)
    assert workflow_runtime._DEFERRABLE == (None, None, None)  # the kept image is let go
    assert workflow_runtime._deferrable(ctx, image)
    later = RequestContext(imagebuilder_mock.backend, ACCOUNT, REGION, "GetImage", "r2")
    assert workflow_runtime._planned(later, container) is workflow_runtime._plan(later, container)


# -- a one-pass run's journal -----------------------------------------------------------------------------
def test_a_compact_journal_replays_its_template_then_what_was_appended():
    template = (("CREATING", "BUILDING", False), ("BUILD", None, True))
    journal = workflow_runtime._Journal(frozenset({"BUILD"}), template, 12.5, "111122223333", "eu-west-1",
                                        "ami-0123")
    journal.append(("TESTING", "DISTRIBUTING", 13.0, "a", "r", None))
    assert list(journal) == [("CREATING", "BUILDING", 12.5, "111122223333", "eu-west-1", None),
                             ("BUILD", None, 12.5, "111122223333", "eu-west-1", "ami-0123"),
                             ("TESTING", "DISTRIBUTING", 13.0, "a", "r", None)]
    assert list(workflow_runtime._Journal(frozenset())) == []


@pytest.mark.parametrize("kw", [{}, {"imageTestsConfiguration": {"imageTestsEnabled": False}}])
def test_a_one_pass_build_journals_what_the_step_by_step_build_does(ib, imagebuilder_mock, monkeypatch, kw):
    """The compact journal of a one-pass run holds the events the step-by-step run appends one by one."""
    infra = f.infrastructure(ib)
    recipe = f.image_recipe(ib)
    store = imagebuilder_mock.backend.store(ACCOUNT, REGION)

    def journal_of_a_build() -> list[tuple]:
        """(first, second, account, region, whether the event saw the build's AMI) of each event."""
        arn = ib.create_image(imageRecipeArn=recipe, infrastructureConfigurationArn=infra, **kw)
        image = store.images[arn["imageBuildVersionArn"]]
        lifecycle.settle(RequestContext(imagebuilder_mock.backend, ACCOUNT, REGION, "GetImage", "r"), image)
        own_ami = image["outputResources"]["amis"][0]["image"]
        return [(*event[:2], *event[3:5], event[5] == own_ami) for event in image[workflow_runtime._JOURNAL]]

    one_pass = journal_of_a_build()
    monkeypatch.setattr(lifecycle, "_run_through", lambda *a: False)
    assert journal_of_a_build() == one_pass
    assert one_pass
