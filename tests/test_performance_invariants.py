"""What the speed-ups must not change (docs/performance.md): list results with the components' build
lookups, cached YAML documents that callers share, the O(1) hooks, recipes' shared values and catalog
lookups. The engine's and the images' are in test_invariants_engine.py and test_invariants_images.py."""

from __future__ import annotations

import itertools

import pytest
import yaml

import factories as f
from imagebuilder_mock._backend import versions
from imagebuilder_mock._resources._shared import catalog
from imagebuilder_mock._resources.components import documents as component_documents
from imagebuilder_mock._resources.workflows import documents as workflow_documents

#: The managed build-image workflow's document, as the catalog's data file holds it.
_BUILD_IMAGE_DOC = next(e["data"] for e in catalog.builtin_entries("workflows") if e["name"] == "build-image")

ACCOUNT, REGION = "123456789012", "us-east-1"


def _store(mock):
    return mock.backend.store(ACCOUNT, REGION)


# -- ListComponents against a brute-force reading of the store -----------------------------------------
def _expected(mock, by_name: bool, deprecated: bool) -> list[str]:
    """The latest build per version (or name) among the kept builds, in order of first kept build."""
    best: dict[str, dict] = {}
    for item in _store(mock).components.values():
        if not deprecated and item["state"]["status"] == "DEPRECATED":
            continue
        version_arn = item["arn"].rsplit("/", 1)[0]
        key = version_arn.rsplit("/", 2)[1] if by_name else version_arn
        order = (versions.key(item["version"]), item["_build"])
        if key not in best or order > (versions.key(best[key]["version"]), best[key]["_build"]):
            best[key] = item
    return [item["arn"].rsplit("/", 1)[0] for item in best.values()]


def _listed(ib, by_name: bool, deprecated: bool, page: int = 2) -> list[str]:
    args = {"byName": by_name, "maxResults": page}
    if deprecated:
        args["filters"] = [{"name": "status", "values": ["ACTIVE", "DEPRECATED"]}]
    pages = ib.get_paginator("list_components").paginate(**args)
    return [v["arn"] for p in pages for v in p["componentVersionList"]]


def _check_lists(ib, mock) -> None:
    for by_name, deprecated in itertools.product((False, True), repeat=2):
        assert _listed(ib, by_name, deprecated) == _expected(mock, by_name, deprecated)


def test_list_components_stays_right_through_builds_deletes_and_deprecations(ib, imagebuilder_mock):
    built = {}
    for name, version, n in [("comp-a", "1.0.0", 0), ("comp-b", "1.0.0", 0), ("comp-a", "1.0.0", 1), ("comp-a", "2.0.0", 0),
                             ("comp-c", "1.0.0", 0), ("comp-b", "1.0.0", 1), ("comp-a", "1.0.0", 2), ("comp-b", "0.9.0", 0)]:
        data = f.LINUX_DOC + f"# build {n}\n"
        arn = ib.create_component(name=name, semanticVersion=version, platform="Linux", data=data)[
            "componentBuildVersionArn"]
        built[(name, version, n)] = arn
    _check_lists(ib, imagebuilder_mock)
    ib.delete_component(componentBuildVersionArn=built[("comp-a", "1.0.0", 2)])  # the latest build of a version
    ib.delete_component(componentBuildVersionArn=built[("comp-c", "1.0.0", 0)])  # the only build of a name
    _check_lists(ib, imagebuilder_mock)
    for key in (("comp-a", "1.0.0", 0), ("comp-b", "1.0.0", 1), ("comp-a", "2.0.0", 0)):  # first and latest builds
        _store(imagebuilder_mock).components[built[key]]["state"] = {"status": "DEPRECATED"}
    _check_lists(ib, imagebuilder_mock)
    ib.create_component(name="comp-a", semanticVersion="1.0.0", platform="Linux", data=f.LINUX_DOC + "# again\n")
    ib.create_component(name="comp-c", semanticVersion="3.0.0", platform="Linux", data=f.LINUX_DOC)
    _check_lists(ib, imagebuilder_mock)
    version_arn = built[("comp-a", "1.0.0", 0)].rsplit("/", 1)[0]
    builds = ib.list_component_build_versions(componentVersionArn=version_arn)["componentSummaryList"]
    assert [b["arn"] for b in builds] == [
        a for a, item in _store(imagebuilder_mock).components.items()
        if a.startswith(version_arn + "/") and item["state"]["status"] != "DEPRECATED"]


def test_by_name_lists_the_latest_version_of_each_name(ib, imagebuilder_mock):
    for version in ("1.0.0", "1.2.0", "1.1.0"):
        ib.create_component(name="multi", semanticVersion=version, platform="Linux", data=f.LINUX_DOC)
    listed = ib.list_components(byName=True)["componentVersionList"]
    assert [(v["name"], v["version"]) for v in listed] == [("multi", "1.2.0")]
    ib.delete_component(componentBuildVersionArn=listed[0]["arn"].replace("1.2.0", "1.2.0/1"))
    assert [v["version"] for v in ib.list_components(byName=True)["componentVersionList"]] == ["1.1.0"]


def test_an_identical_build_of_an_earlier_version_build_is_still_refused(ib):
    arn = f.component(ib, name="same")
    ib.create_component(name="same", semanticVersion="1.0.0", platform="Linux", data=f.LINUX_DOC + "# 2\n")
    with pytest.raises(ib.exceptions.ResourceAlreadyExistsException):
        ib.create_component(name="same", semanticVersion="1.0.0", platform="Linux", data=f.LINUX_DOC + "# 2\n")
    assert arn.endswith("/1")



def test_listed_component_entries_follow_status_changes_and_not_tags(ib, imagebuilder_mock):
    """ListComponents keeps each build's entry on the build (`listing._view_of`): a status changed in
    place or by replacing `state` must show at once, for the owner and for an account it is shared with."""
    other = f.client_for(imagebuilder_mock, "210987654321", REGION)
    arn = f.component(ib, name="watched")
    version_arn = arn.rsplit("/", 1)[0]
    ib.put_component_policy(componentArn=arn, policy=f.sharing_policy(
        arn, ["imagebuilder:GetComponent", "imagebuilder:ListComponents"], ["210987654321"]))
    both = [{"name": "status", "values": ["ACTIVE", "DEPRECATED", "DISABLED"]}]

    def listed(client=ib, **args) -> dict:
        return {v["arn"]: v for v in client.list_components(**args)["componentVersionList"]}

    def statuses() -> list:
        return [listed().get(version_arn, {}).get("status"), listed(filters=both)[version_arn]["status"],
                listed(other, owner="Shared").get(version_arn, {}).get("status"),
                listed(ib, byName=True).get(version_arn, {}).get("status")]

    assert statuses() == ["ACTIVE", "ACTIVE", "ACTIVE", "ACTIVE"]
    item = _store(imagebuilder_mock).components[arn]
    item["state"]["status"] = "DEPRECATED"  # in place
    assert statuses() == [None, "DEPRECATED", None, None]
    item["state"] = {"status": "DISABLED"}  # replaced
    assert statuses() == ["DISABLED", "DISABLED", "DISABLED", "DISABLED"]
    entry = listed()[version_arn]
    ib.tag_resource(resourceArn=arn, tags={"team": "x"})
    assert listed()[version_arn] == entry and "tags" not in entry
    assert ib.get_component(componentBuildVersionArn=arn)["component"]["tags"] == {"team": "x"}


# -- YAML: libyaml when present, the pure-Python loader's results and messages -------------------------
@pytest.mark.parametrize("text", ["phases: [", "a: b: c", "key: 'unterminated", "- a\nb: c", "\tx: 1"])
def test_yaml_errors_are_the_pure_python_loaders(text):
    with pytest.raises(yaml.YAMLError) as expected:
        yaml.load(text, Loader=yaml.SafeLoader)
    with pytest.raises(component_documents.YamlError) as got:
        component_documents.load_yaml(text)
    assert str(got.value) == str(expected.value)


def test_yaml_results_are_the_pure_python_loaders():
    for text in [f.LINUX_DOC, _BUILD_IMAGE_DOC, "a: 1.0\nb: [yes, no, ~, 0x1F]\nc: 2001-12-14\n"]:
        assert component_documents.load_yaml(text) == yaml.load(text, Loader=yaml.SafeLoader)


def test_component_documents_are_fresh_for_every_caller():
    first = component_documents.parse(f.LINUX_DOC, "Linux")
    first.parameters[0]["name"] = "changed"
    first.parameters[0].setdefault("defaultValue", []).append("x")
    first.phases.append("changed")
    again = component_documents.parse(f.LINUX_DOC, "Linux")
    assert again.parameters[0]["name"] == "Greeting" and again.phases == ["build", "validate"]
    assert again.parameters[0].get("defaultValue") != first.parameters[0]["defaultValue"]


def test_cached_workflow_documents_are_shared_and_never_mutated(ib):
    text = _BUILD_IMAGE_DOC
    parsed = workflow_documents.parse(text, "BUILD")
    assert workflow_documents.parse(text, "BUILD") is parsed
    pristine = yaml.load(text, Loader=yaml.SafeLoader)
    recipe = f.image_recipe(ib)
    infra = f.infrastructure(ib)
    for _ in range(2):  # every image runs the AWS-managed build and test workflows
        arn = ib.create_image(imageRecipeArn=recipe, infrastructureConfigurationArn=infra)["imageBuildVersionArn"]
        assert ib.get_image(imageBuildVersionArn=arn)["image"]["state"]["status"] == "AVAILABLE"
        assert ib.list_workflow_executions(imageBuildVersionArn=arn)["workflowExecutions"]
    assert parsed == pristine


def test_an_invalid_workflow_document_fails_every_time():
    for _ in range(2):
        with pytest.raises(Exception, match="not valid YAML"):
            workflow_documents.parse("steps: [", "BUILD")


# -- hooks: nothing to do costs one comparison; due work still runs --------------------------------------
def test_schedule_catch_up_scans_only_when_something_is_due(ib, imagebuilder_mock, monkeypatch):
    from imagebuilder_mock._resources.pipelines import schedules

    arn = f.pipeline(ib, dist=False, schedule={"scheduleExpression": "rate(1 day)",
                                               "pipelineExecutionStartCondition": "EXPRESSION_MATCH_ONLY"})
    ran = []
    original = schedules._run_until
    monkeypatch.setattr(schedules, "_run_until", lambda *a: (ran.append(a[2]["arn"]), original(*a)))
    for _ in range(3):
        ib.get_image_pipeline(imagePipelineArn=arn)
    assert ran == []
    imagebuilder_mock.clock.advance(days=1, minutes=1)
    ib.get_image_pipeline(imagePipelineArn=arn)
    ib.get_image_pipeline(imagePipelineArn=arn)
    assert ran == [arn]
    images = ib.list_image_pipeline_images(imagePipelineArn=arn)["imageSummaryList"]
    assert len(images) == 1
    ib.delete_image_pipeline(imagePipelineArn=arn)
    imagebuilder_mock.clock.advance(days=2)
    ib.list_components()  # the deleted pipeline's due time costs one scan, then nothing is left to wake for
    assert ran == [arn]
    assert schedules._EARLIEST not in imagebuilder_mock.backend.extensions


def test_lifecycle_hook_runs_due_policies_and_settles_cancellations(ib, imagebuilder_mock, monkeypatch):
    from imagebuilder_mock._resources.lifecycle_policies import runs

    policy = ib.create_lifecycle_policy(
        name="daily", executionRole="arn:aws:iam::123456789012:role/r", resourceType="AMI_IMAGE",
        policyDetails=[{"action": {"type": "DEPRECATE"}, "filter": {"type": "AGE", "value": 30, "unit": "DAYS"}}],
        resourceSelection={"tagMap": {"team": "x"}})["lifecyclePolicyArn"]
    scans = []
    original = runs.catch_up
    monkeypatch.setattr(runs, "catch_up", lambda backend: (scans.append(1), original(backend)))
    ib.get_lifecycle_policy(lifecyclePolicyArn=policy)  # the create asked for one look
    for _ in range(3):
        ib.get_lifecycle_policy(lifecyclePolicyArn=policy)
    assert len(scans) == 1
    imagebuilder_mock.clock.advance(days=1, minutes=1)
    assert len(ib.list_lifecycle_executions(resourceArn=policy)["lifecycleExecutions"]) == 1
    assert len(scans) == 2
    ib.update_lifecycle_policy(lifecyclePolicyArn=policy, executionRole="arn:aws:iam::123456789012:role/r",
                               resourceType="AMI_IMAGE", status="DISABLED",
                               policyDetails=[{"action": {"type": "DEPRECATE"},
                                               "filter": {"type": "AGE", "value": 30, "unit": "DAYS"}}],
                               resourceSelection={"tagMap": {"team": "x"}})
    imagebuilder_mock.clock.advance(days=3)
    assert len(ib.list_lifecycle_executions(resourceArn=policy)["lifecycleExecutions"]) == 1


# -- recipes: repeated values kept once, AWS-owned parents resolved once ---------------------------------
STIG = "arn:aws:imagebuilder:us-east-1:aws:component/stig-build-linux/2025.4.0/1"


def _recipe_with(ib, components: list[dict], **kw) -> str:
    return ib.create_image_recipe(name=f.unique("shared"), semanticVersion="1.0.0",
                                  parentImage=f.AL2.format(region=REGION), components=components,
                                  **kw)["imageRecipeArn"]


def test_recipes_share_parents_and_components_but_not_tags(ib, imagebuilder_mock):
    component = f.component(ib)
    same = [{"componentArn": component}, {"componentArn": STIG, "parameters": [
        {"name": "InstallPackages", "value": ["Yes"]}]}]
    other = [{"componentArn": component}, {"componentArn": STIG, "parameters": [
        {"name": "InstallPackages", "value": ["No"]}]}]
    first, second = _recipe_with(ib, same, tags={"n": "1"}), _recipe_with(ib, same)
    third, alone = _recipe_with(ib, other), _recipe_with(ib, [{"componentArn": component}])
    recipes = _store(imagebuilder_mock).image_recipes
    assert recipes[first]["components"] is recipes[second]["components"]
    assert recipes[first]["parentImage"] is recipes[third]["parentImage"]
    assert recipes[third]["components"] is not recipes[first]["components"]
    assert recipes[first]["tags"] is not recipes[second]["tags"]
    image = ib.create_image(imageRecipeArn=first, infrastructureConfigurationArn=f.infrastructure(ib))[
        "imageBuildVersionArn"]
    ib.tag_resource(resourceArn=second, tags={"n": "2"})
    ib.untag_resource(resourceArn=first, tagKeys=["n"])
    got = {arn: ib.get_image_recipe(imageRecipeArn=arn)["imageRecipe"] for arn in (first, second, third, alone)}
    assert got[first]["components"] == got[second]["components"] == same
    assert got[third]["components"] == other and got[alone]["components"] == [{"componentArn": component}]
    assert (got[first]["tags"], got[second]["tags"], got[third]["tags"]) == ({}, {"n": "2"}, {})
    built = ib.get_image(imageBuildVersionArn=image)["image"]["imageRecipe"]
    assert built["components"] == same and built["tags"] == {"n": "1"}


def test_shared_value_tables_stay_bounded(ib, imagebuilder_mock, monkeypatch):
    from imagebuilder_mock._resources.recipes import common as _recipes_common

    monkeypatch.setattr(_recipes_common, "_SHARED_MAX", 2)
    arns_ = [_recipe_with(ib, [{"componentArn": f.component(ib)}]) for _ in range(5)]
    strings, lists = _store(imagebuilder_mock).indexes["recipe_shared"]
    assert len(strings) <= 2 and len(lists) <= 2
    assert all(ib.get_image_recipe(imageRecipeArn=a)["imageRecipe"]["components"] for a in arns_)


def test_parents_resolve_to_their_platform_and_own_images_follow_deletes(ib, imagebuilder_mock):
    platforms = {}
    for region in (REGION, "eu-west-1"):
        client = ib if region == REGION else f.client_for(imagebuilder_mock, ACCOUNT, region)
        for image in catalog.images(region).values():
            version_arn = image["arn"].rsplit("/", 1)[0]
            wildcard = version_arn.rsplit("/", 1)[0] + "/x.x.x"
            for parent in (image["arn"], version_arn, wildcard) * 2:
                recipe = client.create_image_recipe(name=f.unique("parent"), semanticVersion="1.0.0",
                                                    parentImage=parent)["imageRecipeArn"]
                got = client.get_image_recipe(imageRecipeArn=recipe)["imageRecipe"]["platform"]
                assert got == platforms.setdefault((region, parent), image["platform"])
    # the caller's own image: resolved on every Create (it can be deleted, and new builds come along)
    recipe = f.image_recipe(ib)
    image = ib.create_image(imageRecipeArn=recipe, infrastructureConfigurationArn=f.infrastructure(ib))[
        "imageBuildVersionArn"]
    ib.get_image(imageBuildVersionArn=image)
    own = image.rsplit("/", 2)[0] + "/x.x.x"
    ib.create_image_recipe(name=f.unique("own"), semanticVersion="1.0.0", parentImage=own)
    ib.delete_image(imageBuildVersionArn=image)
    with pytest.raises(ib.exceptions.ResourceNotFoundException):
        ib.create_image_recipe(name=f.unique("own"), semanticVersion="1.0.0", parentImage=own)


def test_catalog_version_and_wildcard_arns_resolve_as_a_full_scan_does(imagebuilder_mock):
    from imagebuilder_mock._backend import arns
    from imagebuilder_mock._backend.context import RequestContext
    from imagebuilder_mock._engine._errors import ServiceError
    from imagebuilder_mock._resources._shared import lookup as _lookup

    for region in (REGION, "eu-west-1"):
        ctx = RequestContext(imagebuilder_mock.backend, ACCOUNT, region, "GetImage", "r")
        for resource_type in ("image", "component", "workflow"):
            for account in catalog.ACCOUNTS:
                collection = catalog.collection(region, resource_type, account)
                for item in collection.values():
                    version_arn = arns.parse(item["arn"]).version_arn
                    major, minor, _ = version_arn.rsplit("/", 1)[1].split(".")
                    base = version_arn.rsplit("/", 1)[0]
                    for arn in (version_arn, f"{base}/x.x.x", f"{base}/{major}.x.x", f"{base}/{major}.{minor}.x"):
                        parsed = arns.parse(arn)
                        pattern = versions.parse(parsed.version, wildcards=True)
                        for usable in (None, lambda i, top=item: i is not top):
                            expected = _lookup.latest_match(collection.values(), parsed, pattern, resource_type,
                                                            usable)
                            for _ in range(2):  # found once, then remembered
                                try:
                                    got = _lookup.resolve(ctx, arn, resource_type, "arn", usable)
                                except ServiceError:
                                    got = None
                                assert got is expected


def test_component_type_and_parameters_are_fresh_for_every_caller():
    ctype, parameters = component_documents.type_and_parameters(f.LINUX_DOC, "Linux")
    assert ctype == "BUILD" and parameters[0]["name"] == "Greeting"
    parameters[0]["name"] = "changed"
    parameters.append({"name": "extra"})
    again = component_documents.type_and_parameters(f.LINUX_DOC, "Linux")[1]
    assert again is not parameters and [p["name"] for p in again] == ["Greeting"]
    plain = ("name: plain\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: Hello\n"
             "        action: ExecuteBash\n        inputs:\n          commands:\n            - echo hello\n")
    first, second = (component_documents.type_and_parameters(plain, "Linux")[1] for _ in range(2))
    assert first == second == [] and first is not second


def test_an_image_of_an_own_recipe_has_the_arn_of_the_recipes_name_and_version(ib):
    """CreateImage derives an own recipe's image version ARN from the recipe's ARN (normalised name)."""
    recipe = f.image_recipe(ib, name="My_Recipe Name", version="2.3.x")
    assert recipe.endswith(":image-recipe/my-recipe-name/2.3.0")
    infra = f.infrastructure(ib)
    for build in (1, 2):
        image = ib.create_image(imageRecipeArn=recipe, infrastructureConfigurationArn=infra)["imageBuildVersionArn"]
        assert image == f"arn:aws:imagebuilder:{REGION}:{ACCOUNT}:image/my-recipe-name/2.3.0/{build}"
        assert ib.get_image(imageBuildVersionArn=image)["image"]["name"] == "My_Recipe Name"


# -- the engine's request path: the context's store ---------------------------------------------------
def test_the_context_of_a_request_has_its_own_store(imagebuilder_mock):
    """The engine hands a handler a context whose store is its account's and region's, created or not."""
    engine, seen = imagebuilder_mock.engine, []

    def handler(ctx, params):
        seen.append(ctx.store)
        return {}

    engine.handlers = {**engine.handlers, "ListComponents": handler}
    engine._plans.clear()
    credential = "AWS4-HMAC-SHA256 Credential=AKIAX/20250101/{}/imagebuilder/aws4_request, SignedHeaders=host"
    for region in ("eu-west-3", "eu-west-3", REGION):
        engine.handle("POST", "/ListComponents", "", {"Authorization": credential.format(region)}, b"{}")
        assert seen[-1] is imagebuilder_mock.backend.stores[(ACCOUNT, region)]
        assert (seen[-1].account, seen[-1].region) == (ACCOUNT, region)


# -- ListComponents entries in output form, pagination tokens written out ----------------------------
def _version_entry(item: dict, status: str) -> dict:
    """A ComponentVersion as the serialiser makes it from the build (the plain way, for comparison)."""
    from imagebuilder_mock._engine._model import service_model
    from imagebuilder_mock._engine._serializer import Serializer

    raw = {k: item[k] for k in ("name", "version", "description", "platform", "supportedOsVersions", "type",
                                "owner", "dateCreated", "productCodes") if k in item}
    raw.update(arn=item["arn"].rsplit("/", 1)[0], status=status)
    return Serializer().emitter(service_model().shape_for("ComponentVersion"))(raw)


def test_list_components_entries_are_what_the_serializer_makes_of_the_builds(ib, imagebuilder_mock):
    """The page is passed on as it is (EmittedList), so each entry must be the serialiser's output for its
    build, members in the model's order, and follow the build's status."""
    from imagebuilder_mock._backend.context import RequestContext
    from imagebuilder_mock._engine._serializer import EmittedList
    from imagebuilder_mock._resources.components import listing as components

    ib.create_component(name="plain", semanticVersion="1.0.0", platform="Linux", data=f.LINUX_DOC)
    ib.create_component(name="full", semanticVersion="1.0.0", platform="Linux", data=f.LINUX_DOC,
                        description="d", supportedOsVersions=["Amazon Linux 2"])
    store = _store(imagebuilder_mock)
    ctx = RequestContext(imagebuilder_mock.backend, ACCOUNT, REGION, "ListComponents", "id")
    filters = [{"name": "status", "values": ["ACTIVE", "DEPRECATED"]}]
    for round_ in range(2):
        listed = components.list_components(ctx, {"filters": filters})["componentVersionList"]
        assert type(listed) is EmittedList and len(listed) == 2
        for entry, item in zip(listed, store.components.values()):
            expected = _version_entry(item, item["state"]["status"])
            assert entry == expected and list(entry) == list(expected)
        next(iter(store.components.values()))["state"]["status"] = "DEPRECATED"  # changed in place
    assert listed[0]["status"] == "DEPRECATED"
    assert [v["status"] for v in ib.list_components()["componentVersionList"]] == ["ACTIVE"]


def test_an_emitted_list_is_passed_on_and_a_plain_one_is_emitted():
    from imagebuilder_mock._engine._model import service_model
    from imagebuilder_mock._engine._serializer import EmittedList, Serializer

    emit = Serializer().emitter(service_model().shape_for("ComponentVersionList"))
    ready = EmittedList([{"arn": "a", "name": "n"}])
    assert emit(ready) is ready
    plain = [{"name": "n", "arn": "a", "_private": 1, "status": None}]
    assert emit(plain) == [{"arn": "a", "name": "n"}] and list(emit(plain)[0]) == ["arn", "name"]


def test_pagination_tokens_are_bound_to_the_operation_and_its_other_parameters():
    from imagebuilder_mock._backend import pagination

    scope = ("a", "r", "ListX")
    assert pagination._request_hash(scope, {"maxResults": 2}) == pagination._request_hash(scope, {})
    assert pagination._request_hash(scope, {"owner": "Self"}) != pagination._request_hash(scope, {})
    assert pagination._request_hash(scope, {}) != pagination._request_hash(("a", "r", "ListY"), {})
    import base64

    request = pagination._request_hash(scope, {})
    for offset, key in [(0, "arn:aws:imagebuilder:us-east-1:1:component/a/1.0.0"), (25, 'q"\\\n\u00e9\u2028')]:
        coming, page = [{"arn": key}, {"arn": key + "-2"}], [{"arn": "earlier"}]
        token = pagination._encode(offset, coming, page, request)
        digests = [pagination._digest(key), pagination._digest(key + "-2")]
        raw = base64.urlsafe_b64decode(token)
        assert raw[pagination._SIGNATURE:] == pagination._CANONICAL(
            [offset, digests, [pagination._digest("earlier")], request]).encode()
        assert pagination._decode(token, request) == (offset, digests, [pagination._digest("earlier")])
