"""Paginated walks while the list changes: nothing that stays is skipped or repeated, and a token is
accepted only by the caller, Region, operation and request it was given to."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import factories as f
from imagebuilder_mock import mock_imagebuilder


def _infrastructure(ib, name: str) -> str:
    return ib.get_infrastructure_configuration(infrastructureConfigurationArn=f.infrastructure(ib, name))[
        "infrastructureConfiguration"]["arn"]


def _page(ib, size: int, token: str | None) -> tuple[list[str], str | None]:
    out = ib.list_infrastructure_configurations(maxResults=size, **({"nextToken": token} if token else {}))
    return [item["name"] for item in out["infrastructureConfigurationSummaryList"]], out.get("nextToken")


def test_the_issue_reproducer_deleting_returned_items_between_pages_skips_nothing(ib):
    names = ["a1x", "b1x", "b2x", "a3x", "b3x", "b4x", "b5x"]
    arns = {name: _infrastructure(ib, name) for name in names}
    first, token = _page(ib, 3, None)
    for name in ("b1x", "b2x"):
        ib.delete_infrastructure_configuration(infrastructureConfigurationArn=arns[name])
    rest = []
    while token:
        page, token = _page(ib, 3, token)
        rest += page
    assert first == ["a1x", "b1x", "b2x"] and rest == ["a3x", "b3x", "b4x", "b5x"]


def test_the_next_items_and_the_returned_ones_deleted_skips_nothing(ib):
    """The items the token names first are gone, and so is what the page returned: a cleanup loop racing
    another deleter."""
    arns = [_infrastructure(ib, f"cfg-{n}") for n in range(9)]
    first, token = _page(ib, 1, None)
    for arn in arns[:4]:  # the first page and the next three items
        ib.delete_infrastructure_configuration(infrastructureConfigurationArn=arn)
    second, token = _page(ib, 3, token)
    assert (first, second) == (["cfg-0"], ["cfg-4", "cfg-5", "cfg-6"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(count=st.integers(1, 12), size=st.integers(1, 5), data=st.data())
def test_a_walk_with_deletes_between_pages_returns_every_survivor_once_in_order(count, size, data):
    with mock_imagebuilder():
        ib = boto3.client("imagebuilder", region_name="us-east-1")
        arns = {f"cfg-{n:02d}": _infrastructure(ib, f"cfg-{n:02d}") for n in range(count)}
        seen, deleted, token = [], set(), None
        while True:
            page, token = _page(ib, size, token)
            seen += page
            if not token:
                break
            # delete any few items: returned ones (as a cleanup loop does), the next one, later ones
            doomed = data.draw(st.sets(st.sampled_from(sorted(arns)), max_size=3)) - deleted
            for name in doomed:
                ib.delete_infrastructure_configuration(infrastructureConfigurationArn=arns[name])
            deleted |= doomed
        survivors = [n for n in sorted(arns) if n not in deleted]
        assert len(seen) == len(set(seen)), "an item was returned twice"
        assert seen == sorted(seen), "the walk left the list's order"
        assert set(survivors) <= set(seen), f"skipped {sorted(set(survivors) - set(seen))}"


def test_a_token_is_refused_by_another_account_region_or_operation(imagebuilder_mock):
    owner = f.client_for(imagebuilder_mock, "111111111111")
    for client in (owner, f.client_for(imagebuilder_mock, "222222222222"),
                   f.client_for(imagebuilder_mock, "111111111111", region="us-west-2")):
        f.infrastructure(client, "cfg-a"), f.infrastructure(client, "cfg-b")
        f.distribution(client, "dist-a"), f.distribution(client, "dist-b")
    token = owner.list_infrastructure_configurations(maxResults=1)["nextToken"]
    for call in (lambda: f.client_for(imagebuilder_mock, "222222222222").list_infrastructure_configurations(
                     maxResults=1, nextToken=token),
                 lambda: f.client_for(imagebuilder_mock, "111111111111", region="us-west-2")
                     .list_infrastructure_configurations(maxResults=1, nextToken=token),
                 lambda: owner.list_distribution_configurations(maxResults=1, nextToken=token)):
        with pytest.raises(ClientError) as exc:
            call()
        assert f.error(exc) == ("InvalidPaginationTokenException", 400)
