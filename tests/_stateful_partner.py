"""The second account's side of the stateful tests (tests/test_stateful.py): rules that use what the
owner shared, and the invariant that it sees exactly that."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from hypothesis import strategies as st
from hypothesis.stateful import invariant, precondition, rule

from _stateful_model import BUILD_PATH, OWNER, PARENT, PARTNER, PREFIX, RECIPE_NAMES, REGION, SHAREABLE, error_of, \
    version_matches, vkey


class PartnerSide:
    """Rules and invariants of the partner account (mixed into the machine, which provides `world`,
    `partner`, `listed`, `_get`, `_polled`, `_status_now` and `expect_error`)."""

    @precondition(lambda self: self.world.components)
    @rule(data=st.data(), name=st.sampled_from(RECIPE_NAMES))
    def partner_recipe_from_shared_component(self, data, name):
        """The partner may build its recipes from components shared with it, and only from those."""
        w = self.world
        component = data.draw(st.sampled_from(sorted(w.components)))
        arn = f"arn:aws:imagebuilder:{REGION}:{PARTNER}:image-recipe/{name}/1.0.0"
        call = dict(name=name, semanticVersion="1.0.0", parentImage=PARENT,
                    components=[{"componentArn": component}])
        if arn in w.partner_recipes:  # the name is checked before the components are looked up
            self.expect_error("ResourceAlreadyExistsException", 400, self.partner.create_image_recipe, **call)
        elif w.shared.get(component) != PARTNER:
            self.expect_error("ResourceNotFoundException", 404, self.partner.create_image_recipe, **call)
        else:
            assert self.partner.create_image_recipe(**call)["imageRecipeArn"] == arn
            w.partner_recipes.add(arn)

    @precondition(lambda self: self.world.recipes)
    @rule(data=st.data())
    def partner_builds_from_shared_recipe(self, data):
        """The partner may build images from recipes shared with it; the images are the partner's."""
        w = self.world
        recipe = data.draw(st.sampled_from(sorted(w.recipes)))
        if w.partner_infra is None:
            w.partner_infra = self.partner.create_infrastructure_configuration(
                name="partner", instanceProfileName="ib-role")["infrastructureConfigurationArn"]
        call = dict(imageRecipeArn=recipe, infrastructureConfigurationArn=w.partner_infra)
        if w.shared.get(recipe) != PARTNER:
            self.expect_error("ResourceNotFoundException", 404, self.partner.create_image, **call)
            return
        arn = self.partner.create_image(**call)["imageBuildVersionArn"]
        facts = w.recipes[recipe]
        version_arn = f"arn:aws:imagebuilder:{REGION}:{PARTNER}:image/{facts['name']}/{facts['version']}"
        assert arn == f"{version_arn}/{w.next_build(version_arn)}"
        w.partner_images[arn] = {"version_arn": version_arn, "status": "PENDING", "seen": False, "stopped": None,
                                 "pipeline": None, "path": BUILD_PATH}

    @invariant()
    def partner_sees_exactly_what_is_shared_with_it(self):
        w, partner = self.world, self.partner
        mine = {a for a, account in w.shared.items() if account == PARTNER}
        comps = self.listed(partner, "list_components", "componentVersionList", owner="Shared")
        assert sorted(c["arn"] for c in comps) == sorted({a.rsplit("/", 1)[0] for a in mine if a in w.components})
        recipes = self.listed(partner, "list_image_recipes", "imageRecipeSummaryList", owner="Shared")
        assert sorted(r["arn"] for r in recipes) == sorted(a for a in mine if a in w.recipes)
        images = self.listed(partner, "list_images", "imageVersionList", owner="Shared")
        assert sorted(i["arn"] for i in images) == sorted({w.images[a]["version_arn"] for a in mine if a in w.images})
        for entry in comps + recipes + images:
            assert entry["owner"] == OWNER, entry
        assert self.listed(partner, "list_components", "componentVersionList") == []
        own_recipes = self.listed(partner, "list_image_recipes", "imageRecipeSummaryList")
        assert sorted(r["arn"] for r in own_recipes) == sorted(w.partner_recipes)
        own_builds = self.listed(partner, "list_image_build_versions", "imageSummaryList")
        assert sorted(i["arn"] for i in own_builds) == sorted(w.partner_images)
        for arn, image in sorted(w.partner_images.items()):
            self._polled(image, partner.get_image(imageBuildVersionArn=arn)["image"]["state"]["status"])
        self._partner_resolves_versions(mine)
        for arn, family in self._live():
            if family not in SHAREABLE:
                continue
            if arn in mine:
                item = self._get(family, arn, partner)
                assert item["arn"] == arn
                if family == "image":
                    self._polled(w.images[arn], item["state"]["status"])
            else:
                with pytest.raises(ClientError) as exc:
                    self._get(family, arn, partner)
                assert error_of(exc.value) == ("ResourceNotFoundException", 404)


    def _partner_resolves_versions(self, mine: set[str]) -> None:
        """Version and wildcard ARNs resolve, for the partner, to the latest build it may see."""
        w, partner = self.world, self.partner
        for name in sorted({c["name"] for a, c in w.components.items() if a in mine}):
            for pattern in ["x.x.x", *sorted({c["version"] for a, c in w.components.items()
                                              if a in mine and c["name"] == name})]:
                visible = [(vkey(c["version"]), c["build"], a) for a, c in w.components.items()
                           if a in mine and c["name"] == name and version_matches(pattern, c["version"])]
                if not visible:
                    continue
                got = partner.get_component(componentBuildVersionArn=f"{PREFIX}:component/{name}/{pattern}")
                assert got["component"]["arn"] == max(visible)[2], (name, pattern, mine)
        for version_arn in sorted({w.images[a]["version_arn"] for a in mine if a in w.images}):
            available = [int(a.rsplit("/", 1)[1]) for a in mine if a in w.images
                         and w.images[a]["version_arn"] == version_arn and self._status_now(w.images[a]) == "AVAILABLE"]
            if available:  # the latest AVAILABLE build shared with the partner, even if a newer one is not
                got = partner.get_image(imageBuildVersionArn=version_arn)["image"]
                assert got["arn"] == f"{version_arn}/{max(available)}", (version_arn, mine)
            builds = self.listed(partner, "list_image_build_versions", "imageSummaryList", imageVersionArn=version_arn)
            assert sorted(i["arn"] for i in builds) == sorted(a for a in mine if a in w.images
                                                              and w.images[a]["version_arn"] == version_arn)
