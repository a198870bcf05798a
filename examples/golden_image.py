"""The main job: build a golden AMI through an Image Builder pipeline — against the mock.

Everything below is ordinary boto3 code, the same you would run against AWS; `mock_imagebuilder`
answers it in process, with the build passing through the real states on a simulated clock.

    python examples/golden_image.py
"""

from __future__ import annotations

import time

import boto3

from imagebuilder_mock import mock_imagebuilder

HARDENING = """name: harden-ssh
description: Disables SSH password logins.
schemaVersion: 1.0
parameters:
  - PermitRoot:
      type: string
      default: "no"
      description: Value for PermitRootLogin.
phases:
  - name: build
    steps:
      - name: DisablePasswords
        action: ExecuteBash
        inputs:
          commands:
            - sed -i 's/^PasswordAuthentication yes/PasswordAuthentication no/' /etc/ssh/sshd_config
            - echo "PermitRootLogin {{ PermitRoot }}" >> /etc/ssh/sshd_config
  - name: validate
    steps:
      - name: CheckConfig
        action: ExecuteBash
        inputs:
          commands:
            - grep -q '^PasswordAuthentication no' /etc/ssh/sshd_config
"""


def step(text: str) -> None:
    print(f"==> {text}")


def main() -> None:
    wall = time.perf_counter()
    with mock_imagebuilder(progression="clock") as mock:
        ib = boto3.client("imagebuilder", region_name="us-east-1")

        step("Create a component from an AWSTOE document")
        component = ib.create_component(name="harden-ssh", semanticVersion="1.0.0", platform="Linux",
                                        data=HARDENING, description="SSH hardening")["componentBuildVersionArn"]
        print(f"    {component}")

        step("Create an image recipe on the latest Amazon Linux 2023, with an AWS-managed component")
        recipe = ib.create_image_recipe(
            name="golden-al2023", semanticVersion="1.0.0",
            parentImage="arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-2023-x86/x.x.x",
            components=[{"componentArn": "arn:aws:imagebuilder:us-east-1:aws:component/update-linux/x.x.x"},
                        {"componentArn": component, "parameters": [{"name": "PermitRoot", "value": ["no"]}]}],
        )["imageRecipeArn"]
        print(f"    {recipe}")

        step("Create the infrastructure and a distribution to two regions")
        infra = ib.create_infrastructure_configuration(
            name="golden-builders", instanceProfileName="EC2InstanceProfileForImageBuilder",
            instanceTypes=["m7i.large"])["infrastructureConfigurationArn"]
        dist = ib.create_distribution_configuration(name="golden-regions", distributions=[
            {"region": region, "amiDistributionConfiguration": {"name": "golden-al2023-{{ imagebuilder:buildDate }}"}}
            for region in ("us-east-1", "eu-west-1")])["distributionConfigurationArn"]
        print(f"    {infra}\n    {dist}")

        step("Create a pipeline that runs nightly at 03:00 UTC")
        pipeline = ib.create_image_pipeline(
            name="golden-nightly", imageRecipeArn=recipe, infrastructureConfigurationArn=infra,
            distributionConfigurationArn=dist,
            schedule={"scheduleExpression": "cron(0 3 * * ? *)",
                      "pipelineExecutionStartCondition": "EXPRESSION_MATCH_ONLY"})["imagePipelineArn"]
        print(f"    {pipeline}")

        step("Start a build now and follow it on the simulated clock")
        image_arn = ib.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
        print(f"    {image_arn}")
        started = mock.clock.now()
        seen = None
        while True:
            status = ib.get_image(imageBuildVersionArn=image_arn)["image"]["state"]["status"]
            if status != seen:
                print(f"    +{mock.clock.now() - started}  {status}")
                seen = status
            if status in ("AVAILABLE", "FAILED", "CANCELLED"):
                break
            mock.clock.advance(minutes=5)
        ib.get_waiter("image_available").wait(imageBuildVersionArn=image_arn)

        step("The golden AMIs")
        image = ib.get_image(imageBuildVersionArn=image_arn)["image"]
        for ami in image["outputResources"]["amis"]:
            print(f"    {ami['region']:<10} {ami['image']}  {ami['name']}")

        step("A week later: the nightly schedule has built more images")
        mock.clock.advance(days=7)
        builds = ib.list_image_pipeline_images(imagePipelineArn=pipeline)["imageSummaryList"]
        print(f"    {len(builds)} images from the pipeline, "
              f"{sum(b['buildType'] == 'SCHEDULED' for b in builds)} of them scheduled")
    print(f"Done in {time.perf_counter() - wall:.2f} s of wall time.")


if __name__ == "__main__":
    main()
