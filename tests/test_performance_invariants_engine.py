"""What the round-4 speed-ups must not change (docs/performance.md): the engine's shortcuts on the
request path (one query member, the context's store, the input checks' remembered strings, the body
read in one call) and the resources kept in their output form (ListComponents entries, recipes and
configurations, pagination tokens written out)."""

from __future__ import annotations


import pytest

import factories as f

ACCOUNT, REGION = "123456789012", "us-east-1"


def _store(mock):
    return mock.backend.store(ACCOUNT, REGION)


# -- the engine's request path: the one query member read without a parsed query, the context's store -----
@pytest.mark.parametrize("raw", [
    None, "", "a=1", "a=1&a=2", "b=1&a=2&a=3", "&&a=&", "a", "a=x%3Ay%2Fz+w", "%61=1", "a+b=1&a%20b=2",
    "b=1", "a=%E2%82%AC&b", "a=1=2", "=1&a",
])
def test_an_only_query_member_is_read_as_the_parsed_query_reads_it(raw):
    from imagebuilder_mock._engine.engine import _parse_query, _query_value

    for wire in ("a", "a b", "b"):
        assert _query_value(raw, wire) == _parse_query(raw).get(wire, [None])[0]


def test_the_context_of_a_request_has_its_own_store(imagebuilder_mock):
    """The engine hands a handler a context whose store is its account's and region's, created or not."""
    engine, seen = imagebuilder_mock.engine, []

    def handler(ctx, params):
        seen.append(ctx.store)
        return {}

    engine.handlers = {**engine.handlers, "ListComponents": handler}
    engine._plans.clear()
    engine._routes.clear()
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
    from imagebuilder_mock._resources import components

    ib.create_component(name="plain", semanticVersion="1.0.0", platform="Linux", data=f.LINUX_DOC)
    ib.create_component(name="full", semanticVersion="1.0.0", platform="Linux", data=f.LINUX_DOC,
                        description="d", supportedOsVersions=["Amazon Linux 2"])
    store = _store(imagebuilder_mock)
    ctx = RequestContext(imagebuilder_mock.backend, ACCOUNT, REGION, "ListComponents", "id")
    filters = [{"name": "status", "values": ["ACTIVE", "DEPRECATED"]}]
    for round_ in range(2):
        listed = components.list_(ctx, {"filters": filters})["componentVersionList"]
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


def test_pagination_tokens_are_the_canonical_json_they_always_were():
    from imagebuilder_mock._backend import pagination

    for params in ({"maxResults": 2}, {}, {"owner": "Self"}, {"filters": [{"name": "name", "values": ["é"]}]}):
        expected = pagination._hash_of("ListX", {k: v for k, v in params.items() if k != "maxResults"})
        assert pagination._request_hash("ListX", params) == expected
    assert pagination._request_hash("ListX", {}) != pagination._request_hash("ListY", {})
    import base64

    request = pagination._request_hash("ListX", {})
    for offset, key in [(0, "arn:aws:imagebuilder:us-east-1:1:component/a/1.0.0"), (25, 'q"\\\n\u00e9\u2028')]:
        raw = base64.urlsafe_b64decode(pagination._encode(offset, key, request))
        assert raw[pagination._SIGNATURE:] == pagination._CANONICAL([offset, key, request]).encode()
        assert pagination._decode(pagination._encode(offset, key, request), request) == (offset, key)


# -- resources kept in their output form (serialiser's `emitted_type`, `_common.stored_form`) -----------
_KEPT = {"image_recipes": "ImageRecipe", "infrastructure_configurations": "InfrastructureConfiguration",
         "distribution_configurations": "DistributionConfiguration"}


def _plain(value):
    """`value` with every dict and list (marked or not) rebuilt plain: the serialiser walks all of it."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _emitted(shape_name: str, value: dict) -> dict:
    from imagebuilder_mock._engine._model import service_model
    from imagebuilder_mock._engine._serializer import Serializer

    return Serializer().emitter(service_model().shape_for(shape_name))(_plain(value))


def _check_kept(mock) -> int:
    """Every image recipe and configuration is its shape's marked output form, and every component is a
    plain dict in its output form (GetComponent marks a copy): what the serialiser would make of it."""
    from imagebuilder_mock._engine._serializer import emitted_type

    store, checked = _store(mock), 0
    for attribute, shape_name in _KEPT.items():
        for item in getattr(store, attribute).values():
            assert type(item) is emitted_type(shape_name)
            assert item == _emitted(shape_name, item)
            checked += 1
    for item in store.components.values():
        assert type(item) is dict and item == _emitted("Component", item)
        checked += 1
    for image in store.images.values():  # an image holds its recipe and configuration as they were kept
        assert type(image["imageRecipe"]) is emitted_type("ImageRecipe")
        assert type(image["infrastructureConfiguration"]) is emitted_type("InfrastructureConfiguration")
    return checked


def test_kept_resources_are_their_output_form_after_create_tag_untag_and_update(ib, imagebuilder_mock):
    component = f.component(ib, name="kept", description="d", supportedOsVersions=["Amazon Linux 2"])
    f.component(ib, name="kept-params", data=f.LINUX_DOC.replace(
        "phases:", "parameters:\n  - Greeting:\n      type: string\n      default: hi\n      description: a greeting\n"
        "  - Other:\n      type: string\nphases:"))
    ib.import_component(name="imported", semanticVersion="1.0.0", type="BUILD", format="SHELL", platform="Linux",
                        data="echo hi")
    recipe = f.image_recipe(ib, name="kept", components=[component])
    ib.create_image_recipe(name="kept-devices", semanticVersion="1.0.0", parentImage="ami-0123456789abcdef0",
                           components=[{"componentArn": component}], blockDeviceMappings=[
                               {"deviceName": "/dev/xvda", "ebs": {"volumeSize": 20, "volumeType": "gp3"}}],
                           additionalInstanceConfiguration={"userDataOverride": "ZWNobw=="},
                           amiTags={"a": "b"}, tags={"t": "v"})
    infra = f.infrastructure(ib, name="kept", logging={"s3Logs": {"s3BucketName": "b"}},
                             instanceMetadataOptions={"httpTokens": "required"}, resourceTags={"r": "s"})
    dist = f.distribution(ib, name="kept")
    image = ib.create_image(imageRecipeArn=recipe, infrastructureConfigurationArn=infra)["imageBuildVersionArn"]
    assert _check_kept(imagebuilder_mock) == 7
    for arn in (component, recipe, infra, dist):
        ib.tag_resource(resourceArn=arn, tags={"team": "x", "cost": "y"})
        _check_kept(imagebuilder_mock)
        ib.untag_resource(resourceArn=arn, tagKeys=["team"])
        _check_kept(imagebuilder_mock)
    ib.update_infrastructure_configuration(infrastructureConfigurationArn=infra, instanceProfileName="other",
                                           placement={"tenancy": "default"})
    ib.update_distribution_configuration(distributionConfigurationArn=dist, distributions=[
        {"region": REGION, "amiDistributionConfiguration": {"name": "n {{imagebuilder:buildDate}}"}}])
    assert _check_kept(imagebuilder_mock) == 7
    # reads give what the serialiser makes of the resources, and the image its recipe as it was built
    store = _store(imagebuilder_mock)
    assert ib.get_image_recipe(imageRecipeArn=recipe)["imageRecipe"]["tags"] == {"cost": "y"}
    got = ib.get_image(imageBuildVersionArn=image)["image"]
    assert got["imageRecipe"]["tags"] == {} and got["infrastructureConfiguration"]["instanceProfileName"] != "other"
    assert ib.get_component(componentBuildVersionArn=component)["component"]["tags"] == {"cost": "y"}
    assert not [k for item in store.components.values() for k in item if k.startswith("_")]


def test_kept_resources_drop_what_a_raw_client_sends_beyond_the_model(imagebuilder_mock):
    """A raw HTTP client's unknown nested members (and nulls) are not kept: the walk at create drops them."""
    import json

    engine = imagebuilder_mock.engine
    body = {"name": "raw", "instanceProfileName": "p", "clientToken": "t1", "description": None,
            "logging": {"s3Logs": {"s3BucketName": "b", "junk": 1}, "more": {}}}
    status, _, _ = engine.handle("PUT", "/CreateInfrastructureConfiguration", None, {}, json.dumps(body))
    assert status == 200
    (item,) = _store(imagebuilder_mock).infrastructure_configurations.values()
    assert item["logging"] == {"s3Logs": {"s3BucketName": "b"}} and "description" not in item
    body = {"name": "raw", "semanticVersion": "1.0.0", "parentImage": "ami-0123456789abcdef0", "clientToken": "t2",
            "blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"volumeSize": 8, "junk": True}}]}
    status, _, _ = engine.handle("PUT", "/CreateImageRecipe", None, {}, json.dumps(body))
    assert status == 200
    (recipe,) = _store(imagebuilder_mock).image_recipes.values()
    assert recipe["blockDeviceMappings"] == [{"deviceName": "/dev/xvda", "ebs": {"volumeSize": 8}}]
    _check_kept(imagebuilder_mock)


def test_a_marked_dict_is_passed_on_only_by_its_own_shape():
    import copy

    from imagebuilder_mock._engine._model import service_model
    from imagebuilder_mock._engine._serializer import EmittedDict, Serializer, emitted_type

    serializer = Serializer()
    recipe = emitted_type("ImageRecipe")({"arn": "a", "name": "n", "components": [], "_private": 1})
    assert serializer.emitter(service_model().shape_for("ImageRecipe"))(recipe) is recipe  # trusted as it is
    summary = serializer.emitter(service_model().shape_for("ImageRecipeSummary"))(recipe)
    assert summary == {"arn": "a", "name": "n"}  # another shape walks it
    for copied in (copy.copy(recipe), copy.deepcopy(recipe), dict(recipe)):
        assert type(copied) is dict and copied == recipe  # copies are plain: always serialised member by member
    assert emitted_type("ImageRecipe") is emitted_type("ImageRecipe") and issubclass(recipe.__class__, EmittedDict)
    stored = serializer.stored(service_model().shape_for("ImageRecipe"))
    assert stored({"arn": "a", "_private": 1, "description": None}) == {"arn": "a"}
    assert stored({"arn": "a", "components": [{"componentArn": "c", "junk": 1}]}) == {
        "arn": "a", "components": [{"componentArn": "c"}]}


def test_list_summaries_of_kept_resources_have_only_summary_members(ib, imagebuilder_mock):
    """Read as raw JSON (botocore's parser would drop members its shape does not have)."""
    import json

    from imagebuilder_mock._engine._model import service_model

    component = f.component(ib, name="summary")
    f.image_recipe(ib, name="summary", components=[component])
    f.infrastructure(ib, name="summary")
    f.distribution(ib, name="summary")
    model = service_model()
    for operation, key, shape_name in [
            ("ListImageRecipes", "imageRecipeSummaryList", "ImageRecipeSummary"),
            ("ListInfrastructureConfigurations", "infrastructureConfigurationSummaryList",
             "InfrastructureConfigurationSummary"),
            ("ListDistributionConfigurations", "distributionConfigurationSummaryList",
             "DistributionConfigurationSummary")]:
        status, _, body = imagebuilder_mock.engine.handle("POST", f"/{operation}", None, {}, b"{}")
        listed = json.loads(body)[key]
        assert status == 200 and listed
        assert all(set(entry) <= set(model.shape_for(shape_name).members) for entry in listed)
# -- the generated input checks' shortcuts (_fast.py) ----------------------------------------------------
def test_an_input_check_remembers_only_a_string_its_pattern_found():
    """The last ARN (and version) a pattern was found in is remembered: a remembered string is accepted,
    a string that does not match is refused whatever was remembered before or after it."""
    from imagebuilder_mock._engine import _fast
    from imagebuilder_mock._engine._model import service_model

    accepts = _fast.compile_accepts(service_model().operation_model("GetComponent").input_shape)
    arn = "arn:aws:imagebuilder:us-east-1:123456789012:component/remembered/1.0.0/1"
    bad = "arn:aws:imagebuilder:us-east-1:123456789012:component/Not_Lower/1.0.0/1"
    for _ in range(2):
        assert accepts({"componentBuildVersionArn": arn})
        assert not accepts({"componentBuildVersionArn": bad})
        assert not accepts({"componentBuildVersionArn": arn + "\n2"})
    assert arn in [last[0] for last in _fast._LAST.values()] and bad not in [last[0] for last in _fast._LAST.values()]


class _Sly(str):
    """A string equal to every string once it lies."""

    lying = False

    def __eq__(self, other):
        return _Sly.lying or str.__eq__(self, other)

    __hash__ = str.__hash__


def test_an_input_check_never_remembers_a_str_subclass():
    from imagebuilder_mock._engine import _fast
    from imagebuilder_mock._engine._model import service_model

    accepts = _fast.compile_accepts(service_model().operation_model("GetImageRecipe").input_shape)
    sly = _Sly("arn:aws:imagebuilder:us-east-1:123456789012:image-recipe/sly/1.0.0")
    assert accepts({"imageRecipeArn": sly})
    _Sly.lying = True
    try:
        assert not accepts({"imageRecipeArn": "not an ARN"})
    finally:
        _Sly.lying = False


def test_an_input_check_looks_at_optional_members_until_every_key_is_checked():
    """Required members first; once every key of the value is a checked member the rest are absent."""
    from imagebuilder_mock._engine import _fast
    from imagebuilder_mock._engine._model import service_model

    accepts = _fast.compile_accepts(service_model().operation_model("CreateComponent").input_shape)
    valid = {"name": "n-1", "semanticVersion": "1.0.0", "platform": "Linux", "clientToken": "t", "data": "x"}
    assert accepts(valid)
    assert not accepts({**valid, "dryRun": "yes"})  # the last optional member is still checked
    assert not accepts({**valid, "data": "\x00\x00"})  # ([^\x00]+)
    assert accepts({**valid, "data": "\x00a\x00"})
    assert accepts({**valid, "description": None, "dryRun": True})  # a None value is an absent member
    assert not accepts({**valid, "description": None, "dryRun": 1})
    assert accepts({**valid, "unmodelled": 1})


def test_a_request_body_is_read_as_it_always_was():
    """`read_object` (orjson's usual object) and the general way (`read_request`) give the same
    parameters and the same errors."""
    from imagebuilder_mock._engine._errors import ServiceError
    from imagebuilder_mock._engine._parser import read_body

    members = frozenset({"a", "b"})
    assert read_body(b'{"a": 1, "b": [2], "c": 3}', members) == {"a": 1, "b": [2]}
    assert read_body(b"  \n", members) == {} and read_body(b"", members) == {} and read_body(None, members) == {}
    big = read_body(b'{"a": 123456789012345678901234567890}', members)["a"]
    assert big == 123456789012345678901234567890 and type(big) is int
    assert read_body(b'{"a": NaN}', members)["a"] != read_body(b'{"a": NaN}', members)["a"]  # nan
    for body, detail in [(b"[1]", "the top level must be a JSON object."), (b"{", "not valid JSON"),
                         (b'"arn:"', "the top level must be a JSON object.")]:
        with pytest.raises(ServiceError) as error:
            read_body(body, members)
        assert detail in error.value.message
