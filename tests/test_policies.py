"""Get*/Put*Policy for components, images, image recipes and container recipes: validation, storage,
and the errors of each operation."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests import factories
from tests.factories import error
from tests.rawhttp import call

CONSUMER = "111122223333"
AL2 = "arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-2-x86/x.x.x"


def policy(arn: str, actions: list[str], principals: list[str] | str = (CONSUMER,), **statement) -> str:
    return factories.sharing_policy(arn, actions, principals, **statement)


# -- one fixture per resource type: (arn, get, put, actions) ---------------------------------------
def _recipe(ib):
    return ib.create_image_recipe(name=factories.unique("recipe"), semanticVersion="1.0.0",
                                  parentImage=AL2)["imageRecipeArn"]


def _container_recipe(ib):
    update_linux = "arn:aws:imagebuilder:us-east-1:aws:component/update-linux/x.x.x"
    return factories.container_recipe(ib, components=[update_linux], platformOverride="Linux")


def _image(ib):
    recipe = _recipe(ib)
    infra = factories.infrastructure(ib)
    return ib.create_image(imageRecipeArn=recipe, infrastructureConfigurationArn=infra)["imageBuildVersionArn"]


def _component(ib):
    return factories.component(ib)


KINDS = {
    "component": (_component, "componentArn", "component",
                  ["imagebuilder:GetComponent", "imagebuilder:ListComponents"]),
    "image": (_image, "imageArn", "image", ["imagebuilder:GetImage", "imagebuilder:ListImages"]),
    "image_recipe": (_recipe, "imageRecipeArn", "image_recipe",
                     ["imagebuilder:GetImageRecipe", "imagebuilder:ListImageRecipes"]),
    "container_recipe": (_container_recipe, "containerRecipeArn", "container_recipe",
                         ["imagebuilder:GetContainerRecipe", "imagebuilder:ListContainerRecipes"]),
}


@pytest.fixture(params=sorted(KINDS))
def kind(request, ib):
    make, param, op, actions = KINDS[request.param]
    arn = make(ib)
    get = getattr(ib, f"get_{op}_policy")
    put = getattr(ib, f"put_{op}_policy")
    return {"arn": arn, "param": param, "get": lambda a=arn: get(**{param: a}),
            "put": lambda p, a=arn: put(**{param: a, "policy": p}), "actions": actions, "name": request.param}


def test_get_without_policy_returns_empty_object(kind):
    response = kind["get"]()
    assert response["policy"] == "{}"
    assert response["requestId"]


def test_put_then_get_returns_the_policy_as_given(kind):
    document = policy(kind["arn"], kind["actions"])
    put = kind["put"](document)
    assert put[kind["param"]] == kind["arn"]
    assert put["requestId"]
    assert kind["get"]()["policy"] == document


def test_put_replaces_the_policy(kind):
    kind["put"](policy(kind["arn"], kind["actions"]))
    second = policy(kind["arn"], kind["actions"][:1], principals=["444455556666"])
    kind["put"](second)
    assert kind["get"]()["policy"] == second


def test_put_accepts_single_strings_root_arns_and_any_action_case(kind):
    document = json.dumps({"Version": "2012-10-17", "Statement": {
        "Sid": "Share", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{CONSUMER}:root"},
        "Action": kind["actions"][0].lower(), "Resource": kind["arn"]}})
    kind["put"](document)
    assert kind["get"]()["policy"] == document


@pytest.mark.parametrize("document, detail", [
    ("not json", "not valid JSON"),
    ("[" * 15000 + "]" * 15000, "not valid JSON"),
    ("[]", "JSON object"),
    (json.dumps({"Statement": []}), "Version"),
    (json.dumps({"Version": "2020-01-01", "Statement": []}), "Version"),
    (json.dumps({"Version": "2012-10-17"}), "Statement"),
    (json.dumps({"Version": "2012-10-17", "Statement": []}), "Statement"),
    (json.dumps({"Version": "2012-10-17", "Statement": [], "Extra": 1}), "Extra"),
])
def test_put_rejects_malformed_documents(kind, document, detail):
    with pytest.raises(ClientError) as exc:
        kind["put"](document)
    assert error(exc) == ("InvalidParameterValueException", 400)
    message = exc.value.response["Error"]["Message"]
    assert message.startswith("The value supplied for parameter 'policy' is not valid.")
    assert detail in message
    assert kind["get"]()["policy"] == "{}"


@pytest.mark.parametrize("change, detail", [
    ({"Effect": "Deny"}, "Effect"),
    ({"Principal": "*"}, "Principal"),
    ({"Principal": {"AWS": "*"}}, "not a valid AWS account ID"),
    ({"Principal": {"AWS": ["12345"]}}, "not a valid AWS account ID"),
    ({"Principal": {"Service": "ec2.amazonaws.com"}}, "Principal"),
    ({"Action": ["imagebuilder:DeleteComponent"]}, "not supported"),
    ({"Action": ["imagebuilder:*"]}, "not supported"),
    ({"Action": []}, "Action"),
    ({"Resource": ["arn:aws:imagebuilder:us-east-1:123456789012:component/other/1.0.0/1"]}, "does not match"),
    ({"Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-123"}}}, "Condition"),
    ({"NotAction": "imagebuilder:GetImage"}, "NotAction"),
])
def test_put_rejects_statements_ram_cannot_share(kind, change, detail):
    statement = {"Effect": "Allow", "Principal": {"AWS": [CONSUMER]}, "Action": kind["actions"],
                 "Resource": [kind["arn"]]}
    statement.update(change)
    with pytest.raises(ClientError) as exc:
        kind["put"](json.dumps({"Version": "2012-10-17", "Statement": [statement]}))
    assert error(exc) == ("InvalidParameterValueException", 400)
    assert detail in exc.value.response["Error"]["Message"]


@pytest.mark.parametrize("missing", ["Effect", "Principal", "Action", "Resource"])
def test_put_rejects_a_statement_missing_an_element(kind, missing):
    statement = {"Effect": "Allow", "Principal": {"AWS": [CONSUMER]}, "Action": kind["actions"],
                 "Resource": [kind["arn"]]}
    del statement[missing]
    with pytest.raises(ClientError) as exc:
        kind["put"](json.dumps({"Version": "2012-10-17", "Statement": [statement]}))
    assert error(exc) == ("InvalidParameterValueException", 400)
    assert f"'{missing}'" in exc.value.response["Error"]["Message"]


def test_actions_of_another_type_are_rejected(kind):
    others = [a for k in KINDS.values() for a in k[3] if a not in kind["actions"]]
    with pytest.raises(ClientError) as exc:
        kind["put"](policy(kind["arn"], [others[0]]))
    assert error(exc) == ("InvalidParameterValueException", 400)


# -- not found ---------------------------------------------------------------------------------
MISSING = {
    "component": ("componentArn", "arn:aws:imagebuilder:us-east-1:123456789012:component/nope/1.0.0/1", "Component"),
    "image": ("imageArn", "arn:aws:imagebuilder:us-east-1:123456789012:image/nope/1.0.0/1", "Image"),
    "image_recipe": ("imageRecipeArn", "arn:aws:imagebuilder:us-east-1:123456789012:image-recipe/nope/1.0.0",
                     "ImageRecipe"),
    "container_recipe": ("containerRecipeArn",
                         "arn:aws:imagebuilder:us-east-1:123456789012:container-recipe/nope/1.0.0",
                         "ContainerRecipe"),
}


@pytest.mark.parametrize("op", sorted(MISSING))
def test_get_and_put_of_a_missing_resource_are_not_found(ib, op):
    param, arn, type_name = MISSING[op]
    for method, extra in (("get", {}), ("put", {"policy": policy(arn, KINDS[op][3])})):
        with pytest.raises(ClientError) as exc:
            getattr(ib, f"{method}_{op}_policy")(**{param: arn}, **extra)
        assert error(exc) == ("ResourceNotFoundException", 404)
        assert exc.value.response["Error"]["Message"] == \
            f"The following required resource '{type_name}' cannot be found: '{arn}'."


def test_aws_owned_resources_have_no_policy_to_read_or_set(ib):
    arn = "arn:aws:imagebuilder:us-east-1:aws:component/update-linux/1.0.0/1"
    with pytest.raises(ClientError) as exc:
        ib.get_component_policy(componentArn=arn)
    assert error(exc) == ("ResourceNotFoundException", 404)
    with pytest.raises(ClientError) as exc:
        ib.put_component_policy(componentArn=arn, policy=policy(arn, ["imagebuilder:GetComponent"]))
    assert error(exc) == ("ResourceNotFoundException", 404)


def test_a_wildcard_recipe_arn_names_no_resource(ib):
    arn = _recipe(ib)
    wildcard = arn.rsplit("/", 1)[0] + "/1.x.x"
    with pytest.raises(ClientError) as exc:
        ib.get_image_recipe_policy(imageRecipeArn=wildcard)
    assert error(exc) == ("ResourceNotFoundException", 404)


# -- what the client does not check: patterns, lengths, missing members ---------------------------
@pytest.mark.parametrize("op, params, param", [
    ("GetComponentPolicy", {"componentArn": "arn:aws:imagebuilder:us-east-1:123456789012:component/c/1.0.0"},
     "componentArn"),
    ("GetImagePolicy", {"imageArn": "arn:aws:imagebuilder:us-east-1:123456789012:image/i/1.0.0"}, "imageArn"),
    ("GetImageRecipePolicy", {"imageRecipeArn": "arn:aws:imagebuilder:us-east-1:123456789012:image/r/1.0.0"},
     "imageRecipeArn"),
    ("GetContainerRecipePolicy", {"containerRecipeArn": "not-an-arn"}, "containerRecipeArn"),
    ("PutImagePolicy", {"imageArn": "arn:aws:imagebuilder:us-east-1:123456789012:image/i/1.0.0/1",
                        "policy": "x" * 30001}, "policy"),
])
def test_pattern_and_length_violations_are_invalid_parameter_values(imagebuilder_mock, op, params, param):
    status, headers, body = call(imagebuilder_mock, op, params)
    assert (status, headers["x-amzn-ErrorType"]) == (400, "InvalidParameterValueException")
    assert body["message"].startswith(f"The value supplied for parameter '{param}' is not valid.")


def test_put_without_policy_is_an_invalid_request(imagebuilder_mock):
    client = boto3.client("imagebuilder", region_name="us-east-1", config=Config(parameter_validation=False))
    with pytest.raises(ClientError) as exc:
        client.put_image_recipe_policy(
            imageRecipeArn="arn:aws:imagebuilder:us-east-1:123456789012:image-recipe/r/1.0.0")
    assert error(exc) == ("InvalidRequestException", 400)
    assert "policy" in exc.value.response["Error"]["Message"]


def test_put_with_an_empty_policy_is_rejected(imagebuilder_mock):
    client = boto3.client("imagebuilder", region_name="us-east-1", config=Config(parameter_validation=False))
    arn = _recipe(client)
    with pytest.raises(ClientError) as exc:
        client.put_image_recipe_policy(imageRecipeArn=arn, policy="")
    code, status = error(exc)
    assert status == 400 and code in ("InvalidParameterValueException", "InvalidRequestException")
