"""TagResource / UntagResource / ListTagsForResource on several resource types."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

import factories
from factories import error_detail

ACCOUNT = "123456789012"


@pytest.fixture(params=["infrastructure", "distribution", "image_recipe", "container_recipe"])
def tagged(request, ib):
    """(ARN, reader of the resource's own `tags`) for one resource type."""
    kind = request.param
    if kind == "infrastructure":
        arn = factories.infrastructure(ib)
        return arn, lambda: ib.get_infrastructure_configuration(
            infrastructureConfigurationArn=arn)["infrastructureConfiguration"]["tags"]
    if kind == "distribution":
        arn = factories.distribution(ib)
        return arn, lambda: ib.get_distribution_configuration(
            distributionConfigurationArn=arn)["distributionConfiguration"]["tags"]
    if kind == "image_recipe":
        arn = ib.create_image_recipe(name=factories.unique("recipe"), semanticVersion="1.0.0",
                                     parentImage="ami-0123456789abcdef0")["imageRecipeArn"]
        return arn, lambda: ib.get_image_recipe(imageRecipeArn=arn)["imageRecipe"]["tags"]
    arn = factories.container_recipe(ib)
    return arn, lambda: ib.get_container_recipe(containerRecipeArn=arn)["containerRecipe"]["tags"]


def test_untagged_resource_lists_empty_tags(ib, tagged):
    arn, _ = tagged
    assert ib.list_tags_for_resource(resourceArn=arn)["tags"] == {}


def test_tag_merges_and_overwrites_and_get_reflects_it(ib, tagged):
    arn, read = tagged
    ib.tag_resource(resourceArn=arn, tags={"a": "1", "b": "2"})
    ib.tag_resource(resourceArn=arn, tags={"b": "two", "c": "3"})
    expected = {"a": "1", "b": "two", "c": "3"}
    assert ib.list_tags_for_resource(resourceArn=arn)["tags"] == expected
    assert read() == expected


def test_untag_removes_only_named_keys(ib, tagged):
    arn, read = tagged
    ib.tag_resource(resourceArn=arn, tags={"a": "1", "b": "2", "c": "3"})
    ib.untag_resource(resourceArn=arn, tagKeys=["a", "c", "never-set"])
    assert ib.list_tags_for_resource(resourceArn=arn)["tags"] == {"b": "2"}
    assert read() == {"b": "2"}


def test_tags_given_at_creation_are_listed(ib):
    arn = factories.infrastructure(ib, tags={"env": "prod"})
    assert ib.list_tags_for_resource(resourceArn=arn)["tags"] == {"env": "prod"}


def test_component_build_version_arn_can_be_tagged(ib):
    arn = factories.component(ib)
    ib.tag_resource(resourceArn=arn, tags={"k": "v"})
    assert ib.list_tags_for_resource(resourceArn=arn)["tags"] == {"k": "v"}


@pytest.mark.parametrize("operation", ["tag", "untag", "list"])
def test_missing_resource_is_not_found(ib, operation):
    arn = f"arn:aws:imagebuilder:us-east-1:{ACCOUNT}:distribution-configuration/ghost"
    calls = {
        "tag": lambda: ib.tag_resource(resourceArn=arn, tags={"a": "b"}),
        "untag": lambda: ib.untag_resource(resourceArn=arn, tagKeys=["a"]),
        "list": lambda: ib.list_tags_for_resource(resourceArn=arn),
    }
    with pytest.raises(ClientError) as exc:
        calls[operation]()
    code, message, status = error_detail(exc)
    assert (code, status) == ("ResourceNotFoundException", 404)
    assert arn in message


def test_deleted_resource_is_not_found(ib):
    arn = factories.infrastructure(ib)
    ib.delete_infrastructure_configuration(infrastructureConfigurationArn=arn)
    with pytest.raises(ClientError) as exc:
        ib.list_tags_for_resource(resourceArn=arn)
    assert error_detail(exc)[0::2] == ("ResourceNotFoundException", 404)


def test_at_most_fifty_tags_in_total(ib):
    arn = factories.infrastructure(ib)
    ib.tag_resource(resourceArn=arn, tags={f"k{i}": "v" for i in range(30)})
    ib.tag_resource(resourceArn=arn, tags={f"k{i}": "w" for i in range(20, 50)})  # 50 distinct keys: fine
    assert len(ib.list_tags_for_resource(resourceArn=arn)["tags"]) == 50
    with pytest.raises(ClientError) as exc:
        ib.tag_resource(resourceArn=arn, tags={"one-more": "v"})
    code, message, status = error_detail(exc)
    assert status == 400 and code == "InvalidParameterException"
    assert "50" in message
    assert "one-more" not in ib.list_tags_for_resource(resourceArn=arn)["tags"]


def test_more_than_fifty_tags_in_one_request_is_rejected(ib):
    arn = factories.infrastructure(ib)
    with pytest.raises(ClientError) as exc:
        ib.tag_resource(resourceArn=arn, tags={f"k{i}": "v" for i in range(51)})
    assert error_detail(exc)[0::2] == ("InvalidParameterException", 400)
    assert ib.list_tags_for_resource(resourceArn=arn)["tags"] == {}


@pytest.mark.parametrize("key", ["aws:reserved", "bad#char"])
def test_tag_key_pattern_from_the_model(ib, key):
    arn = factories.infrastructure(ib)
    with pytest.raises(ClientError) as exc:
        ib.tag_resource(resourceArn=arn, tags={key: "v"})
    code, message, status = error_detail(exc)
    assert (code, status) == ("InvalidParameterException", 400)
    assert "tags" in message
    assert ib.list_tags_for_resource(resourceArn=arn)["tags"] == {}


def test_aws_prefixed_tags_rejected_at_creation_too(ib):
    with pytest.raises(ClientError) as exc:
        ib.create_infrastructure_configuration(name="aws-tags", instanceProfileName="ib-role",
                                               tags={"aws:cloudformation:stack": "x"})
    # CreateInfrastructureConfiguration's model lists InvalidParameterValueException, not InvalidParameterException
    assert error_detail(exc)[0::2] == ("InvalidParameterValueException", 400)


def test_tag_value_longer_than_256_is_rejected(ib):
    arn = factories.infrastructure(ib)
    with pytest.raises(ClientError) as exc:
        ib.tag_resource(resourceArn=arn, tags={"k": "v" * 257})
    assert error_detail(exc)[0::2] == ("InvalidParameterException", 400)


def test_non_imagebuilder_arn_is_invalid(ib):
    with pytest.raises(ClientError) as exc:
        ib.list_tags_for_resource(resourceArn="arn:aws:s3:::bucket")
    assert error_detail(exc)[2] == 400


def test_tags_of_one_resource_do_not_leak_to_another(ib):
    first = factories.infrastructure(ib)
    second = factories.infrastructure(ib)
    ib.tag_resource(resourceArn=first, tags={"only": "first"})
    assert ib.list_tags_for_resource(resourceArn=second)["tags"] == {}
