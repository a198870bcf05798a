"""The model the stateful tests (tests/test_stateful.py) check the mock against: names, helpers,
and `World`, what should exist after each step."""

from __future__ import annotations

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from imagebuilder_mock import MockImageBuilder

OWNER, PARTNER, STRANGER = "123456789012", "111122223333", "444455556666"
REGION = "us-east-1"
PREFIX = f"arn:aws:imagebuilder:{REGION}:{OWNER}"
PARENT = f"arn:aws:imagebuilder:{REGION}:aws:image/amazon-linux-2-x86/x.x.x"
BUILD_PATH = ("PENDING", "CREATING", "BUILDING", "TESTING", "DISTRIBUTING", "INTEGRATING", "AVAILABLE")
DISTRIBUTE_PATH = ("PENDING", "DISTRIBUTING", "INTEGRATING", "AVAILABLE")
IMPORT_PATH = ("PENDING", "CREATING", "BUILDING", "INTEGRATING", "AVAILABLE")
IN_PROGRESS = set(BUILD_PATH[:-1])

COMPONENT_NAMES = ("alpha", "beta")
COMPONENT_VERSIONS = ("1.0.0", "1.2.0", "2.0.0")
RECIPE_NAMES = ("web", "api")
RECIPE_VERSIONS = ("1.0.0", "1.1.0")
CONFIG_NAMES = ("one", "two")
SHAREABLE = {"component": "Component", "image-recipe": "ImageRecipe", "image": "Image"}
ACTIONS = {"component": ["imagebuilder:GetComponent", "imagebuilder:ListComponents"],
           "image-recipe": ["imagebuilder:GetImageRecipe", "imagebuilder:ListImageRecipes"],
           "image": ["imagebuilder:GetImage", "imagebuilder:ListImages"]}



def component_doc(content: int) -> str:
    return f"""name: step{content}
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: Say{content}
        action: ExecuteBash
        inputs:
          commands:
            - echo {content}
"""


def vkey(version: str) -> tuple[int, ...]:
    return tuple(int(n) for n in version.split("."))


def version_matches(pattern: str, version: str) -> bool:
    return all(p in ("x", v) for p, v in zip(pattern.split("."), version.split(".")))


def error_of(exc: ClientError) -> tuple[str, int]:
    return exc.response["Error"]["Code"], exc.response["ResponseMetadata"]["HTTPStatusCode"]


def client_for(mock: MockImageBuilder, account: str):
    """A client acting as `account` that tries once (so a 5xx is seen, not retried away)."""
    key = f"AKIASTATE{account}"
    mock.register_access_key(key, account)
    return boto3.client("imagebuilder", region_name=REGION, aws_access_key_id=key, aws_secret_access_key="x",
                        config=Config(retries={"total_max_attempts": 1}))


class World:
    """What should exist: ARN -> facts, per family, plus the deleted ARNs and build counters."""

    def __init__(self) -> None:
        self.components: dict[str, dict] = {}      # build ARN -> name, version, build, content
        self.recipes: dict[str, dict] = {}         # recipe ARN -> name, version, refs
        self.infras: set[str] = set()
        self.dists: set[str] = set()
        self.pipelines: dict[str, dict] = {}       # ARN -> recipe, infra, dist
        self.images: dict[str, dict] = {}          # build ARN -> version_arn, status, seen, stopped, pipeline
        self.deleted: dict[str, str] = {}          # ARN -> family
        self.builds: dict[str, int] = {}           # version ARN -> last build number handed out
        self.shared: dict[str, str] = {}           # ARN -> account its policy names
        self.tags: dict[str, dict] = {}            # ARN -> tags
        self.partner_recipes: set[str] = set()     # the partner's own recipes
        self.partner_images: dict[str, dict] = {}  # the partner's own builds (from shared recipes)
        self.partner_infra: str | None = None

    def next_build(self, version_arn: str) -> int:
        self.builds[version_arn] = self.builds.get(version_arn, 0) + 1
        return self.builds[version_arn]

    def latest_component(self, name: str, pattern: str) -> str | None:
        """The build a version/wildcard component ARN resolves to (latest matching version, then build)."""
        found = [(vkey(c["version"]), c["build"], arn) for arn, c in self.components.items()
                 if c["name"] == name and version_matches(pattern, c["version"])]
        return max(found)[2] if found else None

    def resolve_reference(self, reference: str) -> str | None:
        if reference in self.components:
            return reference
        parts = reference.split("/")
        if len(parts) != 3:
            return None
        return self.latest_component(parts[1], parts[2])

    def resolve_recipe(self, reference: str) -> str:
        """A recipe ARN as given, or the latest live version of an x.x.x recipe ARN's name."""
        if reference in self.recipes:
            return reference
        name = reference.split("/")[1]
        return max((vkey(r["version"]), a) for a, r in self.recipes.items() if r["name"] == name)[1]

    def recipe_in_use(self, arn: str) -> bool:
        """Shared, or named by a pipeline exactly or by a wildcard ARN its version matches (as
        `_recipes_common._check_deletable` does: every matching version, not only the latest)."""
        family = arn.rsplit("/", 1)[0]
        return arn in self.shared or any(p["recipe"] in (arn, f"{family}/x.x.x") for p in self.pipelines.values())

    def component_in_use(self, arn: str) -> bool:
        return arn in self.shared or any(self.resolve_reference(ref) == arn
                                         for recipe in self.recipes.values() for ref in recipe["refs"])
