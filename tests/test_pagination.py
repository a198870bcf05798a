"""List* tokens: what a paginated walk sees when the list changes between pages, and what a token
accepts. A token names the first item of the next page; the next page starts at that item wherever it is."""

from __future__ import annotations

import base64

import pytest
from botocore.exceptions import ClientError

from factories import error, infrastructure


def _names(ib, count: int) -> list[str]:
    return [ib.get_infrastructure_configuration(infrastructureConfigurationArn=infrastructure(ib, f"cfg-{n:02d}"))[
        "infrastructureConfiguration"]["arn"] for n in range(count)]


def _page(ib, size: int, token: str | None = None) -> tuple[list[str], str | None]:
    kwargs = {"maxResults": size, **({"nextToken": token} if token else {})}
    out = ib.list_infrastructure_configurations(**kwargs)
    return [item["arn"] for item in out["infrastructureConfigurationSummaryList"]], out.get("nextToken")


def _delete(ib, arn: str) -> None:
    ib.delete_infrastructure_configuration(infrastructureConfigurationArn=arn)


def test_cleanup_loop_over_the_paginator_deletes_everything(ib):
    arns = _names(ib, 10)
    seen = []
    for page in ib.get_paginator("list_infrastructure_configurations").paginate(PaginationConfig={"PageSize": 3}):
        for item in page["infrastructureConfigurationSummaryList"]:
            seen.append(item["arn"])
            _delete(ib, item["arn"])
    assert seen == arns
    assert ib.list_infrastructure_configurations()["infrastructureConfigurationSummaryList"] == []


def test_items_deleted_before_their_page_are_left_out_and_nothing_else(ib):
    arns = _names(ib, 9)
    first, token = _page(ib, 3)
    _delete(ib, arns[4])  # on the next page, not the first item of it
    second, token = _page(ib, 3, token)
    third, token = _page(ib, 3, token)
    assert (first, second, third, token) == (arns[:3], [arns[3], arns[5], arns[6]], arns[7:], None)


def test_the_first_item_of_the_next_page_deleted_resumes_where_it_was(ib):
    arns = _names(ib, 7)
    first, token = _page(ib, 3)
    _delete(ib, arns[3])  # the item the token names
    second, token = _page(ib, 3, token)
    assert (first, second) == (arns[:3], arns[4:7]) and token is None


def test_items_created_between_pages_come_at_the_end(ib):
    arns = _names(ib, 4)
    first, token = _page(ib, 2)
    later = ib.get_infrastructure_configuration(infrastructureConfigurationArn=infrastructure(ib, "cfg-late"))[
        "infrastructureConfiguration"]["arn"]
    second, token = _page(ib, 2, token)
    third, token = _page(ib, 2, token)
    assert (first, second, third, token) == (arns[:2], arns[2:], [later], None)


def test_a_token_is_bound_to_its_request_and_cannot_be_forged(ib):
    infrastructure(ib, "cfg-a"), infrastructure(ib, "cfg-b")
    token = ib.list_infrastructure_configurations(maxResults=1)["nextToken"]
    raw = bytearray(base64.urlsafe_b64decode(token))
    raw[-2] ^= 1  # the signed payload changed by one bit
    for bad in (base64.urlsafe_b64encode(bytes(raw)).decode(), token[:-4], "not-a-token", "YWJj"):
        with pytest.raises(ClientError) as exc:
            ib.list_infrastructure_configurations(maxResults=1, nextToken=bad)
        assert error(exc) == ("InvalidPaginationTokenException", 400)
    with pytest.raises(ClientError) as exc:  # another request's filters
        ib.list_infrastructure_configurations(maxResults=1, nextToken=token,
                                              filters=[{"name": "name", "values": ["cfg-a"]}])
    assert error(exc) == ("InvalidPaginationTokenException", 400)
    # the page size may change between pages (it is not part of the request a token is bound to)
    assert ib.list_infrastructure_configurations(maxResults=5, nextToken=token)[
        "infrastructureConfigurationSummaryList"][0]["name"] == "cfg-b"


def test_a_token_is_bound_to_its_caller_and_region(imagebuilder_mock):
    """A token of account A in us-east-1 is refused by account B and in another Region, each of which has
    a list of its own to page through."""
    from factories import client_for

    owner = client_for(imagebuilder_mock, "111111111111")
    other_account = client_for(imagebuilder_mock, "222222222222")
    other_region = client_for(imagebuilder_mock, "111111111111", region="us-west-2")
    for client in (owner, other_account, other_region):
        infrastructure(client, "cfg-a"), infrastructure(client, "cfg-b")
    token = owner.list_infrastructure_configurations(maxResults=1)["nextToken"]
    for client in (other_account, other_region):
        with pytest.raises(ClientError) as exc:
            client.list_infrastructure_configurations(maxResults=1, nextToken=token)
        assert error(exc) == ("InvalidPaginationTokenException", 400)
    assert owner.list_infrastructure_configurations(maxResults=1, nextToken=token)[
        "infrastructureConfigurationSummaryList"][0]["name"] == "cfg-b"
