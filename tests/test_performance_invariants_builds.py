"""What the build speed-ups must not change: ISO date texts shared per millisecond, buildDate texts as
strftime makes them, and latestVersionReferences each image's own."""

from __future__ import annotations

import datetime
import random

import factories as f
from imagebuilder_mock._backend import clock
from imagebuilder_mock._resources.images import outputs as image_outputs

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


def test_build_dates_are_strftimes_with_milliseconds():
    for moment in _moments():
        utc = moment.astimezone(UTC)
        assert image_outputs.build_date(moment) == utc.strftime("%Y-%m-%dT%H-%M-%S.") + f"{utc.microsecond // 1000:03d}Z"


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
