"""Every AWS-managed ARN that the AWS CLI's imagebuilder examples and the Terraform AWS provider's
acceptance tests reference resolves in the mock (issue 12's "done when"). The ARNs are data, each
with the file it comes from; `{partition}`/`{region}` stand for the configuration's interpolations."""

from __future__ import annotations

import boto3
import pytest

import factories as f

#: (ARN template, source file). Region us-west-2 where the example names it.
REFERENCES = [
    # aws/aws-cli awscli/examples/imagebuilder/
    ("arn:aws:imagebuilder:us-west-2:aws:image/windows-server-2016-english-full-base-x86/xxxx.x.x",
     "awscli/examples/imagebuilder/create-image-recipe.rst"),
    ("arn:aws:imagebuilder:us-west-2:aws:image/windows-server-2016-english-full-base-x86/2019.12.17/1",
     "awscli/examples/imagebuilder/get-image.rst"),
    ("arn:aws:imagebuilder:us-west-2:aws:image/windows-server-2016-english-full-base-x86/2019.x.x",
     "awscli/examples/imagebuilder/list-image-recipes.rst"),
    ("arn:aws:imagebuilder:us-west-2:aws:image/amazon-linux-2-x86/2019.11.21",
     "awscli/examples/imagebuilder/list-image-recipes.rst"),
    # hashicorp/terraform-provider-aws internal/service/imagebuilder/
    ("arn:{partition}:imagebuilder:{region}:aws:image/amazon-linux-x86-2/x.x.x",
     "internal/service/imagebuilder/container_recipe_test.go"),
    ("arn:{partition}:imagebuilder:{region}:aws:component/update-linux/x.x.x",
     "internal/service/imagebuilder/container_recipe_test.go"),
    ("arn:{partition}:imagebuilder:{region}:aws:component/aws-cli-version-2-linux/x.x.x",
     "internal/service/imagebuilder/container_recipe_test.go"),
    ("arn:{partition}:imagebuilder:{region}:aws:image/amazon-linux-x86-latest/x.x.x",
     "internal/service/imagebuilder/image_test.go"),
    ("arn:{partition}:imagebuilder:{region}:aws:component/update-linux/1.0.0",
     "internal/service/imagebuilder/image_test.go"),
    ("arn:{partition}:imagebuilder:{region}:aws:image/amazon-linux-2-x86/x.x.x",
     "internal/service/imagebuilder/image_recipe_test.go"),
    ("arn:{partition}:imagebuilder:{region}:aws:image/windows-server-2022-english-full-base-x86/x.x.x",
     "internal/service/imagebuilder/image_recipe_test.go"),
]

REGIONS = [("us-west-2", "aws"), ("eu-central-1", "aws"), ("cn-north-1", "aws-cn"), ("us-gov-west-1", "aws-us-gov")]


def _arns(region: str, partition: str) -> list[tuple[str, str]]:
    out = []
    for template, source in REFERENCES:
        arn = template.format(partition=partition, region=region)
        if "{" not in template:  # the CLI's: us-west-2 in the aws partition, moved to `region`
            arn = arn.replace("arn:aws:", f"arn:{partition}:").replace(":us-west-2:", f":{region}:")
        out.append((arn, source))
    return out


def _recipe(ib, parent: str, component: str) -> dict:
    """Create a recipe of `parent` with `component` (a container recipe for container parents) and read it back."""
    if "-x86-2/" in parent or "-x86-latest/" in parent:
        created = f.container_recipe(ib, parentImage=parent, components=[component])
        return ib.get_container_recipe(containerRecipeArn=created)["containerRecipe"]
    created = ib.create_image_recipe(name=f.unique("recipe"), semanticVersion="1.0.0", parentImage=parent,
                                     components=[{"componentArn": component}])["imageRecipeArn"]
    return ib.get_image_recipe(imageRecipeArn=created)["imageRecipe"]


@pytest.mark.parametrize("region,partition", REGIONS)
def test_every_referenced_managed_arn_resolves(imagebuilder_mock, region, partition):
    ib = boto3.client("imagebuilder", region_name=region)
    checked = 0
    for arn, source in _arns(region, partition):
        version = arn.split("/")[2]
        if ":image/" in arn:
            if arn.count("/") == 3:  # a build ARN: GetImage finds it
                assert ib.get_image(imageBuildVersionArn=arn)["image"]["arn"] == arn, source
            platform = "Windows" if "windows" in arn else "Linux"
            component = f"arn:{partition}:imagebuilder:{region}:aws:component/update-{platform.lower()}/x.x.x"
            recipe = _recipe(ib, arn, component)
            assert recipe["parentImage"] == arn and recipe["platform"] == platform, source
        else:
            if "x" not in version:  # a version ARN: GetComponent finds its latest build
                got = ib.get_component(componentBuildVersionArn=arn)["component"]
                assert got["owner"] == "Amazon" and got["arn"].startswith(f"arn:{partition}:"), source
            parent = f"arn:{partition}:imagebuilder:{region}:aws:image/amazon-linux-2-x86/x.x.x"
            recipe = _recipe(ib, parent, arn)
            assert recipe["components"][0]["componentArn"] == arn, source
        checked += 1
    assert checked == len(REFERENCES)
