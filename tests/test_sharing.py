"""Cross-account sharing through resource policies: two accounts in one test, each with its own
client. What account A shares, account B can list (owner="Shared"), read and use; nothing else."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests import factories
from tests.factories import error

OWNER = "123456789012"
CONSUMER = "111122223333"
AL2 = "arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-2-x86/x.x.x"
UPDATE_LINUX = "arn:aws:imagebuilder:us-east-1:aws:component/update-linux/x.x.x"


@pytest.fixture
def other(imagebuilder_mock):
    """A client of account CONSUMER in the same region."""
    return factories.client_for(imagebuilder_mock, CONSUMER)


def share(put, param: str, arn: str, actions: list[str], account: str = CONSUMER) -> None:
    put(**{param: arn, "policy": factories.sharing_policy(arn, actions, [account])})


def share_recipe(ib, arn, account=CONSUMER):
    share(ib.put_image_recipe_policy, "imageRecipeArn", arn,
          ["imagebuilder:GetImageRecipe", "imagebuilder:ListImageRecipes"], account)


def share_image(ib, arn, account=CONSUMER):
    share(ib.put_image_policy, "imageArn", arn, ["imagebuilder:GetImage", "imagebuilder:ListImages"], account)


def share_component(ib, arn, account=CONSUMER):
    share(ib.put_component_policy, "componentArn", arn,
          ["imagebuilder:GetComponent", "imagebuilder:ListComponents"], account)


def recipe(ib, parent=AL2, components=None):
    args = dict(name=factories.unique("recipe"), semanticVersion="1.0.0", parentImage=parent)
    if components:
        args["components"] = [{"componentArn": c} for c in components]
    return ib.create_image_recipe(**args)["imageRecipeArn"]


def image(ib, recipe_arn=None):
    return ib.create_image(imageRecipeArn=recipe_arn or recipe(ib),
                           infrastructureConfigurationArn=factories.infrastructure(ib))["imageBuildVersionArn"]


def container_recipe(ib):
    return factories.container_recipe(ib, components=[UPDATE_LINUX], platformOverride="Linux")


# -- image recipes -----------------------------------------------------------------------------
def test_shared_image_recipe_is_listed_readable_and_usable(ib, other):
    arn = recipe(ib)
    share_recipe(ib, arn)

    listed = other.list_image_recipes(owner="Shared")["imageRecipeSummaryList"]
    assert [(r["arn"], r["owner"]) for r in listed] == [(arn, OWNER)]
    assert other.list_image_recipes()["imageRecipeSummaryList"] == []  # owner Self: B's own only

    got = other.get_image_recipe(imageRecipeArn=arn)["imageRecipe"]
    assert (got["arn"], got["owner"]) == (arn, OWNER)

    built = image(other, arn)
    assert built.startswith(f"arn:aws:imagebuilder:us-east-1:{CONSUMER}:image/")
    assert other.get_image(imageBuildVersionArn=built)["image"]["state"]["status"]


def test_unshared_image_recipe_is_invisible_to_other_accounts(ib, other):
    arn = recipe(ib)
    with pytest.raises(ClientError) as exc:
        other.get_image_recipe(imageRecipeArn=arn)
    assert error(exc) == ("ResourceNotFoundException", 404)
    assert other.list_image_recipes(owner="Shared")["imageRecipeSummaryList"] == []
    with pytest.raises(ClientError) as exc:
        other.create_image(imageRecipeArn=arn, infrastructureConfigurationArn=factories.infrastructure(other))
    assert error(exc) == ("ResourceNotFoundException", 404)


def test_sharing_with_another_account_does_not_share_with_this_one(ib, other):
    arn = recipe(ib)
    share_recipe(ib, arn, account="444455556666")
    with pytest.raises(ClientError) as exc:
        other.get_image_recipe(imageRecipeArn=arn)
    assert error(exc) == ("ResourceNotFoundException", 404)
    assert other.list_image_recipes(owner="Shared")["imageRecipeSummaryList"] == []


def test_replacing_the_policy_unshares(ib, other):
    arn = recipe(ib)
    share_recipe(ib, arn)
    assert other.get_image_recipe(imageRecipeArn=arn)["imageRecipe"]["arn"] == arn
    share_recipe(ib, arn, account="444455556666")
    with pytest.raises(ClientError) as exc:
        other.get_image_recipe(imageRecipeArn=arn)
    assert error(exc) == ("ResourceNotFoundException", 404)


def test_sharing_is_regional(ib, imagebuilder_mock):
    arn = recipe(ib)
    share_recipe(ib, arn)
    west = factories.client_for(imagebuilder_mock, CONSUMER, "us-west-2")
    assert west.list_image_recipes(owner="Shared")["imageRecipeSummaryList"] == []


def test_a_consumer_cannot_read_or_change_the_owners_policy(ib, other):
    arn = recipe(ib)
    share_recipe(ib, arn)
    with pytest.raises(ClientError) as exc:
        other.get_image_recipe_policy(imageRecipeArn=arn)
    assert error(exc) == ("ResourceNotFoundException", 404)
    with pytest.raises(ClientError) as exc:
        share_recipe(other, arn, account="444455556666")  # consumers cannot re-share
    assert error(exc) == ("ResourceNotFoundException", 404)


def test_deleting_a_shared_image_recipe_is_a_dependency_error(ib, other):
    arn = recipe(ib)
    share_recipe(ib, arn)
    with pytest.raises(ClientError) as exc:
        ib.delete_image_recipe(imageRecipeArn=arn)
    assert error(exc) == ("ResourceDependencyException", 400)
    assert arn in exc.value.response["Error"]["Message"]
    assert ib.get_image_recipe(imageRecipeArn=arn)["imageRecipe"]["arn"] == arn


def test_a_consumer_cannot_delete_a_shared_recipe(ib, other):
    arn = recipe(ib)
    share_recipe(ib, arn)
    with pytest.raises(ClientError) as exc:
        other.delete_image_recipe(imageRecipeArn=arn)
    assert error(exc) == ("ResourceNotFoundException", 404)


# -- images ------------------------------------------------------------------------------------
def test_shared_image_is_listed_readable_and_usable_as_parent(ib, other):
    arn = image(ib)
    ib.get_image(imageBuildVersionArn=arn)  # the build finishes (progression "immediate")
    share_image(ib, arn)

    listed = other.list_images(owner="Shared")["imageVersionList"]
    assert [(i["arn"], i["owner"]) for i in listed] == [(arn.rsplit("/", 1)[0], OWNER)]

    got = other.get_image(imageBuildVersionArn=arn)["image"]
    assert got["arn"] == arn and got["state"]["status"] == "AVAILABLE"

    child = recipe(other, parent=arn)
    assert other.get_image_recipe(imageRecipeArn=child)["imageRecipe"]["parentImage"] == arn


def test_unshared_image_is_invisible_and_unusable(ib, other):
    arn = image(ib)
    ib.get_image(imageBuildVersionArn=arn)
    with pytest.raises(ClientError) as exc:
        other.get_image(imageBuildVersionArn=arn)
    assert error(exc) == ("ResourceNotFoundException", 404)
    assert other.list_images(owner="Shared")["imageVersionList"] == []
    with pytest.raises(ClientError) as exc:
        recipe(other, parent=arn)
    assert error(exc) == ("ResourceNotFoundException", 404)


def test_deleting_a_shared_image_is_a_dependency_error(ib, other):
    arn = image(ib)
    ib.get_image(imageBuildVersionArn=arn)
    share_image(ib, arn)
    with pytest.raises(ClientError) as exc:
        ib.delete_image(imageBuildVersionArn=arn)
    assert error(exc) == ("ResourceDependencyException", 400)


def test_a_consumer_can_list_packages_of_a_shared_image_but_not_an_unshared_one(ib, other):
    shared, private = image(ib), image(ib)
    ib.get_image(imageBuildVersionArn=shared)
    ib.get_image(imageBuildVersionArn=private)
    share_image(ib, shared)
    assert other.list_image_packages(imageBuildVersionArn=shared)["imagePackageList"]
    with pytest.raises(ClientError) as exc:
        other.list_image_packages(imageBuildVersionArn=private)
    assert error(exc) == ("ResourceNotFoundException", 404)


# -- components --------------------------------------------------------------------------------
def test_shared_component_is_listed_readable_and_usable(ib, other):
    arn = factories.component(ib)
    share_component(ib, arn)

    listed = other.list_components(owner="Shared")["componentVersionList"]
    assert [(c["arn"], c["owner"]) for c in listed] == [(arn.rsplit("/", 1)[0], OWNER)]

    got = other.get_component(componentBuildVersionArn=arn)["component"]
    assert (got["arn"], got["owner"]) == (arn, OWNER)

    child = recipe(other, components=[arn])
    assert other.get_image_recipe(imageRecipeArn=child)["imageRecipe"]["components"][0]["componentArn"] == arn


def test_unshared_component_is_invisible_and_unusable(ib, other):
    arn = factories.component(ib)
    with pytest.raises(ClientError) as exc:
        other.get_component(componentBuildVersionArn=arn)
    assert error(exc) == ("ResourceNotFoundException", 404)
    assert other.list_components(owner="Shared")["componentVersionList"] == []
    with pytest.raises(ClientError) as exc:
        recipe(other, components=[arn])
    assert error(exc) == ("ResourceNotFoundException", 404)


def test_deleting_a_shared_component_is_a_dependency_error(ib, other):
    arn = factories.component(ib)
    share_component(ib, arn)
    with pytest.raises(ClientError) as exc:
        ib.delete_component(componentBuildVersionArn=arn)
    assert error(exc) == ("ResourceDependencyException", 400)


# -- container recipes -------------------------------------------------------------------------
def test_shared_container_recipe_is_listed_and_readable(ib, other):
    arn = container_recipe(ib)
    share(ib.put_container_recipe_policy, "containerRecipeArn", arn,
          ["imagebuilder:GetContainerRecipe", "imagebuilder:ListContainerRecipes"])
    listed = other.list_container_recipes(owner="Shared")["containerRecipeSummaryList"]
    assert [(r["arn"], r["owner"]) for r in listed] == [(arn, OWNER)]
    assert other.get_container_recipe(containerRecipeArn=arn)["containerRecipe"]["owner"] == OWNER
    with pytest.raises(ClientError) as exc:
        ib.delete_container_recipe(containerRecipeArn=arn)
    assert error(exc) == ("ResourceDependencyException", 400)


def test_unshared_container_recipe_is_invisible(ib, other):
    arn = container_recipe(ib)
    with pytest.raises(ClientError) as exc:
        other.get_container_recipe(containerRecipeArn=arn)
    assert error(exc) == ("ResourceNotFoundException", 404)
    assert other.list_container_recipes(owner="Shared")["containerRecipeSummaryList"] == []


# -- cross-account distribution ----------------------------------------------------------------
def test_cross_account_distribution_gives_the_target_amis_not_image_builder_resources(ib, other):
    dist = ib.create_distribution_configuration(name="to-consumer", distributions=[{
        "region": "us-east-1", "amiDistributionConfiguration": {
            "name": "golden-{{ imagebuilder:buildDate }}", "targetAccountIds": [CONSUMER]}}])
    arn = ib.create_image(imageRecipeArn=recipe(ib), infrastructureConfigurationArn=factories.infrastructure(ib),
                          distributionConfigurationArn=dist["distributionConfigurationArn"])["imageBuildVersionArn"]
    amis = ib.get_image(imageBuildVersionArn=arn)["image"]["outputResources"]["amis"]
    assert CONSUMER in {a["accountId"] for a in amis}
    # the AMI copy lives in the consumer's EC2; the Image Builder image stays the owner's alone
    assert other.list_images(owner="Shared")["imageVersionList"] == []
    with pytest.raises(ClientError) as exc:
        other.get_image(imageBuildVersionArn=arn)
    assert error(exc) == ("ResourceNotFoundException", 404)


def test_the_user_guide_example_runs():
    """docs/sharing.md's example is real code: run it as a user would."""
    import re
    from pathlib import Path

    page = (Path(__file__).resolve().parent.parent / "docs" / "sharing.md").read_text()
    [example] = re.findall(r"```python\n(.*?)```", page, re.S)
    exec(compile(example, "docs/sharing.md", "exec"), {})
