"""Image recipes through boto3: versions, parents, components, lookups, listing, deletion."""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

import factories
from factories import error_detail
from _model_features import needs_filter_value

ACCOUNT = "123456789012"
OTHER = "210987654321"
AL2 = "arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-2-x86/x.x.x"
WINDOWS = "arn:aws:imagebuilder:us-east-1:aws:image/windows-server-2022-english-full-base-x86/x.x.x"
UPDATE_LINUX = "arn:aws:imagebuilder:us-east-1:aws:component/update-linux/x.x.x"
PREFIX = f"arn:aws:imagebuilder:us-east-1:{ACCOUNT}:image-recipe"


def _create(ib, name="recipe-a", version="1.0.0", parent="ami-0123456789abcdef0", **kw):
    return ib.create_image_recipe(name=name, semanticVersion=version, parentImage=parent, **kw)


def _get(ib, arn):
    return ib.get_image_recipe(imageRecipeArn=arn)


def _recipes(ib, **kw):
    return ib.list_image_recipes(**kw)["imageRecipeSummaryList"]


# -- create / get --------------------------------------------------------------------------------
def test_create_response_and_version_references(ib):
    out = _create(ib, name="My_Recipe Name", version="1.2.3", clientToken="tok")
    arn = f"{PREFIX}/my-recipe-name/1.2.3"
    assert out["imageRecipeArn"] == arn and out["clientToken"] == "tok" and out["requestId"]
    assert out["latestVersionReferences"] == {
        "latestVersionArn": f"{PREFIX}/my-recipe-name/x.x.x",
        "latestMajorVersionArn": f"{PREFIX}/my-recipe-name/1.x.x",
        "latestMinorVersionArn": f"{PREFIX}/my-recipe-name/1.2.x",
        "latestPatchVersionArn": arn,
    }
    got = _get(ib, arn)
    assert got["latestVersionReferences"] == out["latestVersionReferences"]
    assert got["imageRecipe"]["name"] == "My_Recipe Name"


def test_every_member_round_trips(ib):
    component = factories.component(ib)
    members = dict(
        description="a recipe",
        components=[{"componentArn": component, "parameters": [{"name": "Greeting", "value": ["hi"]}]},
                    {"componentArn": UPDATE_LINUX}],
        blockDeviceMappings=[{"deviceName": "/dev/xvda", "ebs": {"encrypted": True, "deleteOnTermination": True,
                                                                   "volumeSize": 30, "volumeType": "gp3",
                                                                   "iops": 3000, "throughput": 125}},
                             {"deviceName": "/dev/xvdb", "noDevice": ""}],
        workingDirectory="/opt/work",
        additionalInstanceConfiguration={"systemsManagerAgent": {"uninstallAfterBuild": True},
                                         "userDataOverride": "IyEvYmluL2Jhc2gKZWNobyBoaQo="},
        amiTags={"built-by": "ib"},
        amiWatermarks=["golden-lineage"],
        tags={"env": "dev"},
    )
    arn = _create(ib, name="full-recipe", version="2.0.1", parent=AL2, **members)["imageRecipeArn"]
    recipe = _get(ib, arn)["imageRecipe"]
    for key, value in members.items():
        assert recipe[key] == value, key
    assert recipe["arn"] == arn and recipe["version"] == "2.0.1" and recipe["parentImage"] == AL2
    assert recipe["platform"] == "Linux" and recipe["owner"] == ACCOUNT
    assert recipe["dateCreated"].endswith("Z")
    assert "type" not in recipe  # "This field isn't currently returned in responses."


def test_minimal_recipe_defaults(ib):
    recipe = _get(ib, _create(ib)["imageRecipeArn"])["imageRecipe"]
    assert recipe["tags"] == {}
    for absent in ("components", "workingDirectory", "description", "blockDeviceMappings", "type"):
        assert absent not in recipe


@pytest.mark.parametrize("parent", ["ami-0123456789abcdef0", "ami-12345678", "ssm:/aws/service/ami/al2",
                                    "ssm:arn:aws:ssm:us-east-1:123456789012:parameter/golden", "prod-abcdefgh12345",
                                    AL2, "arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-2-x86/2025.6.2",
                                    "arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-2-x86/2025.6.2/1"])
def test_parent_forms_are_stored_exactly_as_given(ib, parent):
    recipe = _get(ib, _create(ib, parent=parent)["imageRecipeArn"])["imageRecipe"]
    assert recipe["parentImage"] == parent and recipe["platform"] == "Linux"


def test_platform_comes_from_the_parent_image(ib):
    recipe = _get(ib, _create(ib, parent=WINDOWS)["imageRecipeArn"])["imageRecipe"]
    assert recipe["platform"] == "Windows"


def test_missing_parent_image_is_not_found(ib):
    parent = "arn:aws:imagebuilder:us-east-1:aws:image/no-such-image/x.x.x"
    with pytest.raises(ClientError) as exc:
        _create(ib, parent=parent)
    code, message, status = error_detail(exc)
    assert (code, status) == ("ResourceNotFoundException", 404)
    assert message == f"The following required resource 'Image' cannot be found: '{parent}'."
    assert _recipes(ib) == []


def test_own_parent_image_that_does_not_exist_is_not_found(ib):
    parent = f"arn:aws:imagebuilder:us-east-1:{ACCOUNT}:image/mine/1.0.0/1"
    with pytest.raises(ClientError) as exc:
        _create(ib, parent=parent)
    assert error_detail(exc)[0::2] == ("ResourceNotFoundException", 404)


@pytest.mark.parametrize("parent", ["ubuntu", "ami-XYZ", f"arn:aws:imagebuilder:us-east-1:{ACCOUNT}:component/c/1.0.0/1"])
def test_unrecognised_parent_is_invalid(ib, parent):
    with pytest.raises(ClientError) as exc:
        _create(ib, parent=parent)
    code, message, status = error_detail(exc)
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert "'parentImage'" in message


def test_systems_manager_agent_is_rejected_for_windows(ib):
    with pytest.raises(ClientError) as exc:
        _create(ib, parent=WINDOWS,
                additionalInstanceConfiguration={"systemsManagerAgent": {"uninstallAfterBuild": True}})
    code, message, status = error_detail(exc)
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert "systemsManagerAgent" in message


def test_user_data_must_be_base64(ib):
    with pytest.raises(ClientError) as exc:
        _create(ib, additionalInstanceConfiguration={"userDataOverride": "#!/bin/bash\necho hi"})
    code, message, status = error_detail(exc)
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert "userDataOverride" in message


def test_block_device_limits_are_checked(ib):
    with pytest.raises(ClientError) as exc:
        _create(ib, blockDeviceMappings=[{"deviceName": "/dev/xvda", "ebs": {"volumeSize": 16001}}])
    assert error_detail(exc)[0::2] == ("InvalidParameterValueException", 400)


# -- versions --------------------------------------------------------------------------------------
def test_duplicate_name_and_version_is_already_exists(ib):
    arn = _create(ib, name="dup recipe")["imageRecipeArn"]
    with pytest.raises(ClientError) as exc:
        _create(ib, name="DUP_recipe")
    code, message, status = error_detail(exc)
    assert (code, status) == ("ResourceAlreadyExistsException", 400)
    assert message == f"The following resource 'ImageRecipe' already exists: '{arn}'."
    assert _create(ib, name="dup recipe", version="1.0.1")["imageRecipeArn"] == f"{PREFIX}/dup-recipe/1.0.1"


def test_wildcard_patch_auto_increments(ib):
    first = _get(ib, _create(ib, version="1.0.x")["imageRecipeArn"])["imageRecipe"]["version"]
    second = _create(ib, version="1.0.x")["imageRecipeArn"]
    major, minor, patch = first.split(".")
    assert (major, minor) == ("1", "0")
    assert second == f"{PREFIX}/recipe-a/1.0.{int(patch) + 1}"


def test_wildcard_follows_the_highest_existing_version(ib):
    _create(ib, version="1.0.7")
    _create(ib, version="2.0.9")  # another minor line: ignored for 1.0.x
    out = _create(ib, version="1.0.x")
    assert out["imageRecipeArn"] == f"{PREFIX}/recipe-a/1.0.8"
    assert out["latestVersionReferences"]["latestPatchVersionArn"] == f"{PREFIX}/recipe-a/1.0.8"


def test_wildcard_in_the_minor_node(ib):
    _create(ib, version="1.4.0")
    assert _create(ib, version="1.x.0")["imageRecipeArn"] == f"{PREFIX}/recipe-a/1.5.0"


def test_more_than_one_wildcard_node_is_rejected(ib):
    with pytest.raises(ClientError) as exc:
        _create(ib, version="1.x.x")
    code, message, status = error_detail(exc)
    assert (code, status) == ("InvalidVersionNumberException", 400)
    assert "semanticVersion" in message


@pytest.mark.parametrize("version", ["1.0", "1.0.0.0", "v1.0.0", "1073741824.0.0"])
def test_malformed_versions_are_rejected(ib, version):
    with pytest.raises(ClientError) as exc:
        _create(ib, version=version)
    code, message, status = error_detail(exc)
    assert status == 400 and code in ("InvalidParameterValueException", "InvalidVersionNumberException")
    assert "semanticVersion" in message


# -- components ----------------------------------------------------------------------------------
def test_components_are_stored_exactly_as_given(ib):
    own = factories.component(ib, name="my-comp")
    own_wildcard = own.rsplit("/", 2)[0] + "/x.x.x"
    components = [{"componentArn": own_wildcard}, {"componentArn": UPDATE_LINUX}]
    recipe = _get(ib, _create(ib, components=components)["imageRecipeArn"])["imageRecipe"]
    assert recipe["components"] == components


def test_each_component_only_once_regardless_of_version(ib):
    components = [{"componentArn": "arn:aws:imagebuilder:us-east-1:aws:component/update-linux/1.0.0/1"},
                  {"componentArn": UPDATE_LINUX}]
    with pytest.raises(ClientError) as exc:
        _create(ib, components=components)
    code, message, status = error_detail(exc)
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert "components[1].componentArn" in message
    assert _recipes(ib) == []


def test_missing_component_is_not_found(ib):
    arn = f"arn:aws:imagebuilder:us-east-1:{ACCOUNT}:component/ghost/1.0.0/1"
    with pytest.raises(ClientError) as exc:
        _create(ib, components=[{"componentArn": arn}])
    code, message, status = error_detail(exc)
    assert (code, status) == ("ResourceNotFoundException", 404)
    assert message == f"The following required resource 'Component' cannot be found: '{arn}'."


def test_undefined_component_parameter_is_rejected(ib):
    component = factories.component(ib)
    with pytest.raises(ClientError) as exc:
        _create(ib, components=[{"componentArn": component, "parameters": [{"name": "S3BucketName", "value": ["b"]}]}])
    code, message, status = error_detail(exc)
    assert status == 400
    assert "components[0].parameters" in message and "S3BucketName" in message


def test_component_platform_must_match_the_parent(ib):
    with pytest.raises(ClientError) as exc:
        _create(ib, parent=WINDOWS, components=[{"componentArn": UPDATE_LINUX}])
    assert error_detail(exc)[2] == 400
    assert _recipes(ib) == []


# -- get -----------------------------------------------------------------------------------------
def test_get_with_wildcards_returns_the_latest_match(ib):
    for version in ("1.6.8", "2.2.4", "1.7.8"):
        _create(ib, version=version)
    base = f"{PREFIX}/recipe-a"
    assert _get(ib, f"{base}/x.x.x")["imageRecipe"]["version"] == "2.2.4"
    assert _get(ib, f"{base}/1.x.x")["imageRecipe"]["version"] == "1.7.8"
    got = _get(ib, f"{base}/1.6.x")
    assert got["imageRecipe"]["version"] == "1.6.8"
    assert got["latestVersionReferences"]["latestPatchVersionArn"] == f"{base}/1.6.8"


def test_get_with_an_invalid_wildcard_is_rejected(ib):
    _create(ib)
    with pytest.raises(ClientError) as exc:
        _get(ib, f"{PREFIX}/recipe-a/x.2.x")
    assert error_detail(exc)[2] == 400


def test_get_missing_is_not_found(ib):
    arn = f"{PREFIX}/ghost/1.0.0"
    with pytest.raises(ClientError) as exc:
        _get(ib, arn)
    code, message, status = error_detail(exc)
    assert (code, status) == ("ResourceNotFoundException", 404)
    assert message == f"The following required resource 'ImageRecipe' cannot be found: '{arn}'."


def test_get_rejects_arns_of_other_types(ib):
    with pytest.raises(ClientError) as exc:
        _get(ib, f"arn:aws:imagebuilder:us-east-1:{ACCOUNT}:container-recipe/a/1.0.0")
    assert error_detail(exc)[0::2] == ("InvalidParameterValueException", 400)


def test_shared_recipe_is_visible_to_the_other_account_only_when_shared(ib, imagebuilder_mock):
    arn = _create(ib)["imageRecipeArn"]
    other = factories.client_for(imagebuilder_mock, OTHER)
    with pytest.raises(ClientError) as exc:
        other.get_image_recipe(imageRecipeArn=arn)
    assert error_detail(exc)[0::2] == ("ResourceNotFoundException", 404)
    factories.share(imagebuilder_mock, arn, OTHER)
    assert other.get_image_recipe(imageRecipeArn=arn)["imageRecipe"]["owner"] == ACCOUNT
    assert [r["arn"] for r in other.list_image_recipes(owner="Shared")["imageRecipeSummaryList"]] == [arn]
    assert other.list_image_recipes()["imageRecipeSummaryList"] == []


# -- list ----------------------------------------------------------------------------------------
@needs_filter_value("*")
def test_list_summaries_and_filters(ib):
    linux = _create(ib, name="linux-recipe", parent=AL2, tags={"a": "b"})["imageRecipeArn"]
    windows = _create(ib, name="windows-recipe", parent=WINDOWS)["imageRecipeArn"]
    [summary] = _recipes(ib, filters=[{"name": "platform", "values": ["Linux"]}])
    assert summary == {"arn": linux, "name": "linux-recipe", "platform": "Linux", "owner": ACCOUNT,
                       "parentImage": AL2, "dateCreated": summary["dateCreated"], "tags": {"a": "b"}}
    assert [r["arn"] for r in _recipes(ib, filters=[{"name": "parentImage", "values": [WINDOWS]}])] == [windows]
    assert [r["arn"] for r in _recipes(ib, filters=[{"name": "name", "values": ["win*"]}])] == [windows]
    assert [r["arn"] for r in _recipes(ib, owner="Self")] == [linux, windows]


@pytest.mark.parametrize("owner", ["Amazon", "ThirdParty", "AWSMarketplace", "Shared"])
def test_list_other_owners_do_not_show_own_recipes(ib, owner):
    _create(ib)
    assert _recipes(ib, owner=owner) == []


def test_list_rejects_unsupported_filter(ib):
    with pytest.raises(ClientError) as exc:
        _recipes(ib, filters=[{"name": "version", "values": ["1.0.0"]}])
    code, message, status = error_detail(exc)
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert "version" in message


def test_list_paginates(ib):
    arns = [_create(ib, version=f"1.0.{i}")["imageRecipeArn"] for i in range(5)]
    paginator = ib.get_paginator("list_image_recipes")
    pages = list(paginator.paginate(PaginationConfig={"PageSize": 2}))
    assert [len(p["imageRecipeSummaryList"]) for p in pages] == [2, 2, 1]
    assert [r["arn"] for p in pages for r in p["imageRecipeSummaryList"]] == arns
    with pytest.raises(ClientError) as exc:
        ib.list_image_recipes(nextToken="bogus")
    assert error_detail(exc)[0::2] == ("InvalidPaginationTokenException", 400)


# -- delete --------------------------------------------------------------------------------------
def test_delete_returns_arn_and_removes(ib):
    arn = _create(ib)["imageRecipeArn"]
    out = ib.delete_image_recipe(imageRecipeArn=arn)
    assert out["imageRecipeArn"] == arn and out["requestId"]
    with pytest.raises(ClientError) as exc:
        _get(ib, arn)
    assert error_detail(exc)[0::2] == ("ResourceNotFoundException", 404)


def test_delete_missing_is_not_found(ib):
    with pytest.raises(ClientError) as exc:
        ib.delete_image_recipe(imageRecipeArn=f"{PREFIX}/ghost/1.0.0")
    assert error_detail(exc)[0::2] == ("ResourceNotFoundException", 404)


def test_delete_with_a_wildcard_is_invalid(ib):
    _create(ib)
    with pytest.raises(ClientError) as exc:
        ib.delete_image_recipe(imageRecipeArn=f"{PREFIX}/recipe-a/x.x.x")
    assert error_detail(exc)[0::2] == ("InvalidParameterValueException", 400)
    assert len(_recipes(ib)) == 1


@pytest.mark.parametrize("reference", ["exact", "wildcard"])
def test_delete_while_a_pipeline_uses_it(ib, imagebuilder_mock, reference):
    arn = _create(ib)["imageRecipeArn"]
    used = arn if reference == "exact" else f"{PREFIX}/recipe-a/1.x.x"
    factories.pipeline_record(imagebuilder_mock, imageRecipeArn=used)
    with pytest.raises(ClientError) as exc:
        ib.delete_image_recipe(imageRecipeArn=arn)
    code, message, status = error_detail(exc)
    assert (code, status) == ("ResourceDependencyException", 400)
    assert message == f"Resource dependency error: The resource ARN '{arn}' has other resources depended on it."


def test_delete_while_shared(ib, imagebuilder_mock):
    arn = _create(ib)["imageRecipeArn"]
    factories.share(imagebuilder_mock, arn, OTHER)
    with pytest.raises(ClientError) as exc:
        ib.delete_image_recipe(imageRecipeArn=arn)
    assert error_detail(exc)[0::2] == ("ResourceDependencyException", 400)


# -- dry run, idempotency, raw requests ---------------------------------------------------------
def test_dry_run(ib):
    with pytest.raises(ClientError) as exc:
        _create(ib, dryRun=True)
    assert error_detail(exc)[0::2] == ("DryRunOperationException", 412)
    assert _recipes(ib) == []
    with pytest.raises(ClientError) as exc:
        _create(ib, parent="arn:aws:imagebuilder:us-east-1:aws:image/nothing/x.x.x", dryRun=True)
    assert error_detail(exc)[0] == "ResourceNotFoundException"


def test_idempotency_both_ways(ib):
    first = _create(ib, clientToken="same")
    assert _create(ib, clientToken="same")["imageRecipeArn"] == first["imageRecipeArn"]
    with pytest.raises(ClientError) as exc:
        _create(ib, version="2.0.0", clientToken="same")
    assert error_detail(exc)[0::2] == ("IdempotentParameterMismatchException", 400)
    assert len(_recipes(ib)) == 1


def test_auto_version_replay_returns_the_first_version(ib):
    first = _create(ib, version="1.0.x", clientToken="auto")["imageRecipeArn"]
    assert _create(ib, version="1.0.x", clientToken="auto")["imageRecipeArn"] == first
    assert len(_recipes(ib)) == 1


def test_missing_parent_image_rejected_server_side(imagebuilder_mock):
    loose = boto3.client("imagebuilder", region_name="us-east-1", config=Config(parameter_validation=False))
    with pytest.raises(ClientError) as exc:
        loose.create_image_recipe(name="no-parent", semanticVersion="1.0.0", clientToken="t")
    code, message, status = error_detail(exc)
    assert (code, status) == ("InvalidRequestException", 400)
    assert "parentImage" in message


def test_empty_component_list_rejected_server_side(imagebuilder_mock):
    loose = boto3.client("imagebuilder", region_name="us-east-1", config=Config(parameter_validation=False))
    with pytest.raises(ClientError) as exc:
        loose.create_image_recipe(name="empty", semanticVersion="1.0.0", parentImage="ami-12345678",
                                  components=[], clientToken="t")
    assert error_detail(exc)[0::2] == ("InvalidParameterValueException", 400)


def test_more_than_twenty_components_exceeds_the_quota(ib):
    components = [{"componentArn": factories.component(ib, name=f"comp-{i:02d}")} for i in range(21)]
    with pytest.raises(ClientError) as exc:
        _create(ib, components=components)
    code, message, status = error_detail(exc)
    assert (code, status) == ("ServiceQuotaExceededException", 402)
    assert "20" in message
    assert _create(ib, components=components[:20])["imageRecipeArn"]
