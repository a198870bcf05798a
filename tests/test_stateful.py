"""Stateful property tests: hypothesis drives boto3 against one mock through random sequences of
creates, deletes, builds, shares, tags and clock jumps, and checks after every step that the mock
agrees with a small model of what should exist.

The model (`World`) keeps the live and deleted ARNs of each family, the references between them and
each image's status; the invariants compare every List* (paginated by botocore), Get* of live and
deleted ARNs, wildcard resolution and the second account's view against it. Any 5xx fails the run.
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from imagebuilder_mock import MockImageBuilder

from _stateful_model import (ACTIONS, BUILD_PATH, COMPONENT_NAMES, COMPONENT_VERSIONS, CONFIG_NAMES, DISTRIBUTE_PATH,
                            IMPORT_PATH, IN_PROGRESS, OWNER, PARENT, PARTNER, PREFIX, RECIPE_NAMES, RECIPE_VERSIONS,
                            REGION, SHAREABLE, STRANGER, World, client_for, component_doc, error_of, vkey)
from _stateful_partner import PartnerSide
from _model_features import accepts

#: pipelines name a recipe by its x.x.x ARN too, where the loaded model's pattern allows it (older ones do not)
_WILDCARD_RECIPES = accepts("CreateImagePipelineRequest", "imageRecipeArn",
                            "arn:aws:imagebuilder:us-east-1:123456789012:image-recipe/r/x.x.x")

SETTINGS = settings(max_examples=15, stateful_step_count=25, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


class ImageBuilderMachine(PartnerSide, RuleBasedStateMachine):
    """One mock (started here, stopped in teardown), two accounts, and the model they must agree with."""

    progression = "immediate"

    def __init__(self) -> None:
        super().__init__()
        self.mock = MockImageBuilder(progression=self.progression)
        self.mock.start()
        self.server_errors: list[str] = []
        self.ib = self._client(OWNER)
        self.partner = self._client(PARTNER)
        self.world = World()

    def teardown(self) -> None:
        self.mock.stop()

    def _client(self, account: str):
        client = client_for(self.mock, account)
        client.meta.events.register("after-call.imagebuilder", self._record_server_error)
        return client

    def _record_server_error(self, http_response, model, **_):
        if http_response.status_code >= 500:
            self.server_errors.append(f"{model.name}: {http_response.status_code} {http_response.text[:300]}")

    def expect_error(self, code: str, status: int, call, **params) -> None:
        with pytest.raises(ClientError) as exc:
            call(**params)
        assert error_of(exc.value) == (code, status), (call, params, exc.value.response["Error"])

    def create_once(self, arn: str, exists: bool, create, arn_member: str, **call) -> bool:
        """`create(**call)` of the resource `arn`: ResourceAlreadyExistsException while it `exists`, else
        the answer's `arn_member` is `arn` and the world knows it as live, untagged. True when created."""
        if exists:
            self.expect_error("ResourceAlreadyExistsException", 400, create, **call)
            return False
        assert create(**call)[arn_member] == arn
        self.world.deleted.pop(arn, None)
        self.world.tags[arn] = {}
        return True

    def listed(self, client, operation: str, key: str, **params) -> list[dict]:
        items = []
        for page in client.get_paginator(operation).paginate(PaginationConfig={"PageSize": 3}, **params):
            items.extend(page[key])
        return items

    # -- components -----------------------------------------------------------------------------
    @rule(name=st.sampled_from(COMPONENT_NAMES), version=st.sampled_from(COMPONENT_VERSIONS),
          content=st.integers(0, 2))
    def create_component(self, name, version, content):
        w = self.world
        version_arn = f"{PREFIX}:component/{name}/{version}"
        builds = [c for c in w.components.values() if c["name"] == name and c["version"] == version]
        latest = max(builds, key=lambda c: c["build"]) if builds else None
        call = dict(name=name, semanticVersion=version, platform="Linux", data=component_doc(content))
        if latest is not None and latest["content"] == content:
            self.expect_error("ResourceAlreadyExistsException", 400, self.ib.create_component, **call)
            return
        arn = self.ib.create_component(**call)["componentBuildVersionArn"]
        build = w.next_build(version_arn)
        assert arn == f"{version_arn}/{build}"
        w.components[arn] = {"name": name, "version": version, "build": build, "content": content}
        w.tags[arn] = {}

    @precondition(lambda self: self.world.components)
    @rule(data=st.data())
    def delete_component(self, data):
        w = self.world
        arn = data.draw(st.sampled_from(sorted(w.components)))
        if w.component_in_use(arn):
            self.expect_error("ResourceDependencyException", 400, self.ib.delete_component,
                              componentBuildVersionArn=arn)
            return
        assert self.ib.delete_component(componentBuildVersionArn=arn)["componentBuildVersionArn"] == arn
        del w.components[arn]
        w.deleted[arn] = "component"

    # -- recipes ----------------------------------------------------------------------------------
    @precondition(lambda self: self.world.components)
    @rule(data=st.data(), name=st.sampled_from(RECIPE_NAMES), version=st.sampled_from(RECIPE_VERSIONS))
    def create_recipe(self, data, name, version):
        w = self.world
        refs = []
        for comp_name in sorted({c["name"] for c in w.components.values()}):
            if not data.draw(st.booleans(), label=f"use {comp_name}"):
                continue
            builds = sorted(a for a, c in w.components.items() if c["name"] == comp_name)
            build = data.draw(st.sampled_from(builds))
            form = data.draw(st.sampled_from(("build", "version", "x.x.x", "major")))
            facts = w.components[build]
            refs.append({"build": build, "version": build.rsplit("/", 1)[0],
                         "x.x.x": f"{PREFIX}:component/{comp_name}/x.x.x",
                         "major": f"{PREFIX}:component/{comp_name}/{facts['version'].split('.')[0]}.x.x"}[form])
        arn = f"{PREFIX}:image-recipe/{name}/{version}"
        call = dict(name=name, semanticVersion=version, parentImage=PARENT)
        if refs:
            call["components"] = [{"componentArn": r} for r in refs]
        if self.create_once(arn, arn in w.recipes, self.ib.create_image_recipe, "imageRecipeArn", **call):
            w.recipes[arn] = {"name": name, "version": version, "refs": refs}

    @precondition(lambda self: self.world.recipes)
    @rule(data=st.data())
    def delete_recipe(self, data):
        w = self.world
        arn = data.draw(st.sampled_from(sorted(w.recipes)))
        if w.recipe_in_use(arn):
            self.expect_error("ResourceDependencyException", 400, self.ib.delete_image_recipe, imageRecipeArn=arn)
            return
        self.ib.delete_image_recipe(imageRecipeArn=arn)
        del w.recipes[arn]
        w.deleted[arn] = "image-recipe"

    # -- configurations and pipelines ---------------------------------------------------------------
    @rule(name=st.sampled_from(CONFIG_NAMES), kind=st.sampled_from(("infra", "dist")))
    def create_configuration(self, name, kind):
        w = self.world
        if kind == "infra":
            arn, live = f"{PREFIX}:infrastructure-configuration/{name}", w.infras
            create, member = self.ib.create_infrastructure_configuration, "infrastructureConfigurationArn"
            call = dict(name=name, instanceProfileName="ib-role")
        else:
            arn, live = f"{PREFIX}:distribution-configuration/{name}", w.dists
            create, member = self.ib.create_distribution_configuration, "distributionConfigurationArn"
            call = dict(name=name, distributions=[{"region": REGION, "amiDistributionConfiguration": {
                "name": "out-{{ imagebuilder:buildDate }}"}}])
        if self.create_once(arn, arn in live, create, member, **call):
            live.add(arn)

    @precondition(lambda self: self.world.infras or self.world.dists)
    @rule(data=st.data())
    def delete_configuration(self, data):
        w = self.world
        arn = data.draw(st.sampled_from(sorted(w.infras | w.dists)))
        infra = arn in w.infras
        member = "infra" if infra else "dist"
        delete = (lambda: self.ib.delete_infrastructure_configuration(infrastructureConfigurationArn=arn)) if infra \
            else (lambda: self.ib.delete_distribution_configuration(distributionConfigurationArn=arn))
        if any(p[member] == arn for p in w.pipelines.values()):
            self.expect_error("ResourceDependencyException", 400, delete)
            return
        delete()
        (w.infras if infra else w.dists).discard(arn)
        w.deleted[arn] = "infrastructure-configuration" if infra else "distribution-configuration"

    def _draw_recipe(self, data) -> str:
        """A live recipe's ARN, or its name's x.x.x ARN (which selects the latest version)."""
        recipe = data.draw(st.sampled_from(sorted(self.world.recipes)))
        wildcard = f"{recipe.rsplit('/', 1)[0]}/x.x.x"
        if _WILDCARD_RECIPES and data.draw(st.booleans(), label="wildcard recipe"):
            return wildcard
        return recipe

    @precondition(lambda self: self.world.recipes and self.world.infras)
    @rule(data=st.data(), name=st.sampled_from(CONFIG_NAMES))
    def create_pipeline(self, data, name):
        w = self.world
        recipe = self._draw_recipe(data)
        infra = data.draw(st.sampled_from(sorted(w.infras)))
        dist = data.draw(st.sampled_from([None, *sorted(w.dists)]))
        arn = f"{PREFIX}:image-pipeline/{name}"
        call = dict(name=name, imageRecipeArn=recipe, infrastructureConfigurationArn=infra)
        if dist:
            call["distributionConfigurationArn"] = dist
        if self.create_once(arn, arn in w.pipelines, self.ib.create_image_pipeline, "imagePipelineArn", **call):
            w.pipelines[arn] = {"recipe": recipe, "infra": infra, "dist": dist}

    @precondition(lambda self: self.world.pipelines)
    @rule(data=st.data())
    def delete_pipeline(self, data):
        arn = data.draw(st.sampled_from(sorted(self.world.pipelines)))
        self.ib.delete_image_pipeline(imagePipelineArn=arn)
        del self.world.pipelines[arn]
        self.world.deleted[arn] = "image-pipeline"

    # -- images -----------------------------------------------------------------------------------
    def _new_image(self, arn: str, recipe: str, pipeline: str | None) -> None:
        w = self.world
        facts = w.recipes[w.resolve_recipe(recipe)]
        version_arn = f"{PREFIX}:image/{facts['name']}/{facts['version']}"
        assert arn == f"{version_arn}/{w.next_build(version_arn)}"
        self._track_image(arn, version_arn, pipeline, BUILD_PATH)

    def _track_image(self, arn: str, version_arn: str, pipeline: str | None, path: tuple[str, ...]) -> None:
        self.world.images[arn] = {"version_arn": version_arn, "status": "PENDING", "seen": False, "stopped": None,
                                  "pipeline": pipeline, "path": path}
        self.world.tags[arn] = {}
        self.world.deleted.pop(arn, None)

    @precondition(lambda self: self.world.recipes and self.world.infras)
    @rule(data=st.data())
    def create_image(self, data):
        w = self.world
        recipe = self._draw_recipe(data)
        infra = data.draw(st.sampled_from(sorted(w.infras)))
        dist = data.draw(st.sampled_from([None, *sorted(w.dists)]))
        call = dict(imageRecipeArn=recipe, infrastructureConfigurationArn=infra)
        if dist:
            call["distributionConfigurationArn"] = dist
        self._new_image(self.ib.create_image(**call)["imageBuildVersionArn"], recipe, None)

    @precondition(lambda self: self.world.pipelines)
    @rule(data=st.data())
    def start_pipeline(self, data):
        pipeline = data.draw(st.sampled_from(sorted(self.world.pipelines)))
        arn = self.ib.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
        self._new_image(arn, self.world.pipelines[pipeline]["recipe"], pipeline)

    @precondition(lambda self: self.world.images and self.world.dists)
    @rule(data=st.data())
    def distribute_image(self, data):
        """DistributeImage of an AVAILABLE build makes a new build of its version; others are refused."""
        w = self.world
        source = data.draw(st.sampled_from(sorted(w.images)))
        dist = data.draw(st.sampled_from(sorted(w.dists)))
        call = dict(sourceImage=source, distributionConfigurationArn=dist, executionRole="ib-distribute")
        if self._status_now(w.images[source]) != "AVAILABLE":
            self.expect_error("ResourceInUseException", 400, self.ib.distribute_image, **call)
            return
        arn = self.ib.distribute_image(**call)["imageBuildVersionArn"]
        version_arn = w.images[source]["version_arn"]
        assert arn == f"{version_arn}/{w.next_build(version_arn)}"
        self._track_image(arn, version_arn, None, DISTRIBUTE_PATH)

    @rule(name=st.sampled_from(("legacy", *RECIPE_NAMES)), version=st.sampled_from(RECIPE_VERSIONS))
    def import_vm_image(self, name, version):
        """Imports share build numbering with recipe builds of the same name and version."""
        arn = self.ib.import_vm_image(name=name, semanticVersion=version, platform="Linux",
                                      vmImportTaskId="import-ami-0123456789abcdef0")["imageArn"]
        version_arn = f"{PREFIX}:image/{name}/{version}"
        assert arn == f"{version_arn}/{self.world.next_build(version_arn)}"
        self._track_image(arn, version_arn, None, IMPORT_PATH)

    def _status_now(self, image: dict) -> str:
        """The status a non-polling read sees (immediate mode finishes builds on any access)."""
        if self.progression == "immediate" and image["status"] in IN_PROGRESS:
            image["status"] = "AVAILABLE"
        return image["status"]

    @precondition(lambda self: self.world.images)
    @rule(data=st.data())
    def cancel_image(self, data):
        arn = data.draw(st.sampled_from(sorted(self.world.images)))
        image = self.world.images[arn]
        if self._status_now(image) not in IN_PROGRESS:
            self.expect_error("ResourceInUseException", 400, self.ib.cancel_image_creation, imageBuildVersionArn=arn)
            return
        self.ib.cancel_image_creation(imageBuildVersionArn=arn)
        image.update(stopped=image["status"], status="CANCELLED")

    @precondition(lambda self: self.world.images)
    @rule(data=st.data())
    def retry_image(self, data):
        arn = data.draw(st.sampled_from(sorted(self.world.images)))
        image = self.world.images[arn]
        if self._status_now(image) != "CANCELLED":
            self.expect_error("ResourceInUseException", 400, self.ib.retry_image, imageBuildVersionArn=arn)
            return
        assert self.ib.retry_image(imageBuildVersionArn=arn)["imageBuildVersionArn"] == arn
        image.update(status=image["stopped"], seen=False)

    @precondition(lambda self: self.world.images)
    @rule(data=st.data())
    def delete_image(self, data):
        w = self.world
        arn = data.draw(st.sampled_from(sorted(w.images)))
        if self._status_now(w.images[arn]) in IN_PROGRESS or arn in w.shared:
            self.expect_error("ResourceDependencyException", 400, self.ib.delete_image, imageBuildVersionArn=arn)
            return
        self.ib.delete_image(imageBuildVersionArn=arn)
        del w.images[arn]
        w.deleted[arn] = "image"

    # -- sharing, tags, time ------------------------------------------------------------------------
    def _live(self) -> list[tuple[str, str]]:
        w = self.world
        return sorted([(a, "component") for a in w.components] + [(a, "image-recipe") for a in w.recipes]
                      + [(a, "image") for a in w.images] + [(a, "infrastructure-configuration") for a in w.infras]
                      + [(a, "distribution-configuration") for a in w.dists]
                      + [(a, "image-pipeline") for a in w.pipelines])

    @precondition(lambda self: self.world.components or self.world.recipes or self.world.images)
    @rule(data=st.data(), account=st.sampled_from((PARTNER, STRANGER)))
    def share(self, data, account):
        arn, family = data.draw(st.sampled_from([(a, f) for a, f in self._live() if f in SHAREABLE]))
        policy = json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": [account]}, "Action": ACTIONS[family], "Resource": [arn]}]})
        type_name = SHAREABLE[family]
        param = type_name[0].lower() + type_name[1:] + "Arn"
        put = getattr(self.ib, "put_" + {"component": "component", "image-recipe": "image_recipe",
                                         "image": "image"}[family] + "_policy")
        assert put(**{param: arn, "policy": policy})[param] == arn
        self.world.shared[arn] = account

    @precondition(lambda self: self._live())
    @rule(data=st.data(), key=st.sampled_from(("team", "env")), value=st.sampled_from(("a", "b")),
          remove=st.booleans())
    def tag(self, data, key, value, remove):
        arn, _ = data.draw(st.sampled_from(self._live()))
        if remove:
            self.ib.untag_resource(resourceArn=arn, tagKeys=[key])
            self.world.tags[arn].pop(key, None)
        else:
            self.ib.tag_resource(resourceArn=arn, tags={key: value})
            self.world.tags[arn][key] = value

    @precondition(lambda self: self.world.deleted)
    @rule(data=st.data())
    def tag_deleted(self, data):
        arn = data.draw(st.sampled_from(sorted(self.world.deleted)))
        self.expect_error("ResourceNotFoundException", 404, self.ib.tag_resource, resourceArn=arn, tags={"k": "v"})

    @rule(hours=st.sampled_from((1, 25, 24 * 8)))
    def advance_clock(self, hours):
        self.mock.clock.advance(hours=hours)

    # -- invariants -----------------------------------------------------------------------------------
    def _get(self, family: str, arn: str, client=None):
        client = client or self.ib
        if family == "component":
            return client.get_component(componentBuildVersionArn=arn)["component"]
        if family == "image-recipe":
            return client.get_image_recipe(imageRecipeArn=arn)["imageRecipe"]
        if family == "image":
            return client.get_image(imageBuildVersionArn=arn)["image"]
        if family == "infrastructure-configuration":
            return client.get_infrastructure_configuration(infrastructureConfigurationArn=arn)[
                "infrastructureConfiguration"]
        if family == "distribution-configuration":
            return client.get_distribution_configuration(distributionConfigurationArn=arn)["distributionConfiguration"]
        return client.get_image_pipeline(imagePipelineArn=arn)["imagePipeline"]

    def _polled(self, image: dict, observed: str) -> None:
        """A GetImage by build ARN: "poll" moves a build already seen one status on."""
        if self.progression == "poll" and image["status"] in IN_PROGRESS:
            if image["seen"]:
                image["status"] = image["path"][image["path"].index(image["status"]) + 1]
            image["seen"] = True
        self._status_now(image)
        assert observed == image["status"], (observed, image)

    @invariant()
    def no_server_errors(self):
        assert not self.server_errors, self.server_errors

    @invariant()
    def get_of_every_live_and_deleted_arn(self):
        w = self.world
        for arn, family in self._live():
            item = self._get(family, arn)
            assert item["arn"] == arn
            assert item.get("tags", {}) == w.tags[arn], (arn, item.get("tags"))
            if family in ("component", "image-recipe"):
                assert item["owner"] == OWNER
            if family == "image":
                self._polled(w.images[arn], item["state"]["status"])
                assert item.get("sourcePipelineArn") == w.images[arn]["pipeline"]
            assert self.ib.list_tags_for_resource(resourceArn=arn)["tags"] == w.tags[arn]
        for arn, family in sorted(w.deleted.items()):
            if arn in dict(self._live()):
                continue
            with pytest.raises(ClientError) as exc:
                self._get(family, arn)
            assert error_of(exc.value) == ("ResourceNotFoundException", 404), (arn, exc.value.response["Error"])

    @invariant()
    def lists_match_the_model(self):
        w, ib = self.world, self.ib
        components = self.listed(ib, "list_components", "componentVersionList")
        assert sorted(c["arn"] for c in components) == sorted({a.rsplit("/", 1)[0] for a in w.components})
        assert {c["owner"] for c in components} <= {OWNER}
        builds = self.listed(ib, "list_component_build_versions", "componentSummaryList")
        assert sorted(c["arn"] for c in builds) == sorted(w.components)
        for version_arn in {a.rsplit("/", 1)[0] for a in w.components}:
            builds = self.listed(ib, "list_component_build_versions", "componentSummaryList",
                                 componentVersionArn=version_arn)
            assert sorted(c["arn"] for c in builds) == sorted(a for a in w.components if a.startswith(version_arn + "/"))
        recipes = self.listed(ib, "list_image_recipes", "imageRecipeSummaryList")
        assert sorted(r["arn"] for r in recipes) == sorted(w.recipes)
        assert {r["owner"] for r in recipes} <= {OWNER}
        infras = self.listed(ib, "list_infrastructure_configurations", "infrastructureConfigurationSummaryList")
        assert sorted(i["arn"] for i in infras) == sorted(w.infras)
        dists = self.listed(ib, "list_distribution_configurations", "distributionConfigurationSummaryList")
        assert sorted(d["arn"] for d in dists) == sorted(w.dists)
        pipelines = self.listed(ib, "list_image_pipelines", "imagePipelineList")
        assert sorted(p["arn"] for p in pipelines) == sorted(w.pipelines)
        images = self.listed(ib, "list_images", "imageVersionList")
        assert sorted(i["arn"] for i in images) == sorted({i["version_arn"] for i in w.images.values()})
        assert {i["owner"] for i in images} <= {OWNER}
        builds = self.listed(ib, "list_image_build_versions", "imageSummaryList")
        assert sorted(i["arn"] for i in builds) == sorted(w.images)
        for summary in builds + recipes + pipelines:
            assert summary.get("tags", {}) == w.tags[summary["arn"]], summary
        for arn in w.pipelines:
            made = self.listed(ib, "list_image_pipeline_images", "imageSummaryList", imagePipelineArn=arn)
            assert sorted(i["arn"] for i in made) == sorted(a for a, i in w.images.items() if i["pipeline"] == arn)

    @invariant()
    def version_and_wildcard_arns_resolve_to_the_latest(self):
        w = self.world
        for name in sorted({c["name"] for c in w.components.values()}):
            for pattern in ["x.x.x", *sorted({c["version"] for c in w.components.values() if c["name"] == name})]:
                got = self.ib.get_component(componentBuildVersionArn=f"{PREFIX}:component/{name}/{pattern}")
                assert got["component"]["arn"] == w.latest_component(name, pattern), (name, pattern)
        for name in sorted({r["name"] for r in w.recipes.values()}):
            latest = max((vkey(r["version"]), a) for a, r in w.recipes.items() if r["name"] == name)[1]
            got = self.ib.get_image_recipe(imageRecipeArn=f"{PREFIX}:image-recipe/{name}/x.x.x")
            assert got["imageRecipe"]["arn"] == latest
        for version_arn in sorted({i["version_arn"] for i in w.images.values()}):
            available = [int(a.rsplit("/", 1)[1]) for a, i in w.images.items()
                         if i["version_arn"] == version_arn and self._status_now(i) == "AVAILABLE"]
            if available:
                got = self.ib.get_image(imageBuildVersionArn=version_arn)["image"]
                assert got["arn"] == f"{version_arn}/{max(available)}"
            else:
                self.expect_error("ResourceNotFoundException", 404, self.ib.get_image, imageBuildVersionArn=version_arn)

class PollingImageBuilderMachine(ImageBuilderMachine):
    """The same machine with builds that move one status per GetImage (cancel/retry reachable)."""

    progression = "poll"


ImageBuilderMachine.TestCase.settings = SETTINGS
PollingImageBuilderMachine.TestCase.settings = SETTINGS
TestImmediateBuilds = ImageBuilderMachine.TestCase
TestPolledBuilds = PollingImageBuilderMachine.TestCase


# -- what the machines found ----------------------------------------------------------------------
@pytest.mark.parametrize("pattern", ["x.x.x", "1.x.x"])
def test_partner_wildcard_skips_unshared_latest_build(pattern):
    with MockImageBuilder() as mock:
        ib, partner = client_for(mock, OWNER), client_for(mock, PARTNER)
        shared = ib.create_component(name="alpha", semanticVersion="1.0.0", platform="Linux",
                                     data=component_doc(0))["componentBuildVersionArn"]
        ib.put_component_policy(componentArn=shared, policy=json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": [PARTNER]}, "Action": ACTIONS["component"],
            "Resource": [shared]}]}))
        ib.create_component(name="alpha", semanticVersion="1.2.0", platform="Linux", data=component_doc(0))
        got = partner.get_component(componentBuildVersionArn=f"{PREFIX}:component/alpha/{pattern}")
        assert got["component"]["arn"] == shared
