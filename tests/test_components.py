"""Components through boto3: CreateComponent, ImportComponent, GetComponent, ListComponents,
ListComponentBuildVersions, DeleteComponent — shapes, versions and builds, errors with their HTTP
status, owners, sharing, filters, pagination, dependencies."""

from __future__ import annotations


import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from imagebuilder_mock._resources._shared import catalog
from tests import factories
from tests.rawhttp import call
from _model_features import collect, needs_filter_value

REGION = "us-east-1"
ACCOUNT = "123456789012"
OTHER = "111122223333"
PREFIX = f"arn:aws:imagebuilder:{REGION}:{ACCOUNT}:component/"
AWS_PREFIX = f"arn:aws:imagebuilder:{REGION}:aws:component/"
TEST_DOC = factories.LINUX_DOC.replace("name: build", "name: test").split("  - name: validate")[0]
NO_PARAMS_DOC = """schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: Hello
        action: ExecuteBash
        inputs:
          commands: [echo hello]
"""


def error(exc) -> tuple[str, int, str]:
    response = exc.value.response
    return (response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"],
            response["Error"]["Message"])


def variant(n: int) -> str:
    """A document differing from the factory one (a new build of the same version)."""
    return factories.LINUX_DOC + f"# variant {n}\n"


def build_arns(ib, version_arn: str | None = None) -> list[str]:
    args = {"componentVersionArn": version_arn} if version_arn else {}
    return [s["arn"] for s in ib.list_component_build_versions(**args)["componentSummaryList"]]


def set_status(mock, arn: str, status: str, account: str = ACCOUNT) -> None:
    """DEPRECATED/DISABLED are reached through the console or lifecycle tooling the mock doesn't model."""
    mock.backend.store(account, REGION).components[arn]["state"] = {"status": status}


@pytest.fixture
def other(imagebuilder_mock):
    return factories.client_for(imagebuilder_mock, OTHER, REGION)


def share(ib, arn: str, account: str = OTHER) -> None:
    ib.put_component_policy(componentArn=arn, policy=factories.sharing_policy(
        arn, ["imagebuilder:GetComponent", "imagebuilder:ListComponents"], [account]))


# -- CreateComponent ---------------------------------------------------------------------------
def test_create_returns_build_arn_and_latest_version_references(ib):
    out = ib.create_component(name="My Component_x", semanticVersion="1.2.3", platform="Linux",
                              data=factories.LINUX_DOC, clientToken="token-1")
    assert out["componentBuildVersionArn"] == PREFIX + "my-component-x/1.2.3/1"
    base = PREFIX + "my-component-x/"
    assert out["latestVersionReferences"] == {
        "latestVersionArn": base + "x.x.x", "latestMajorVersionArn": base + "1.x.x",
        "latestMinorVersionArn": base + "1.2.x", "latestPatchVersionArn": base + "1.2.3"}
    assert out["clientToken"] == "token-1" and out["requestId"]


def test_get_returns_the_documented_defaults(ib):
    arn = factories.component(ib, name="Hello World")
    out = ib.get_component(componentBuildVersionArn=arn)
    component = out["component"]
    assert component["arn"] == arn
    assert component["name"] == "Hello World"  # as entered; the ARN has the normalized form
    assert component["version"] == "1.0.0"
    assert component["type"] == "BUILD" and component["platform"] == "Linux"
    assert component["state"] == {"status": "ACTIVE"}
    assert component["owner"] == ACCOUNT
    assert component["encrypted"] is True
    assert component["tags"] == {}
    assert component["data"] == factories.LINUX_DOC
    assert component["dateCreated"].endswith("Z") and "." in component["dateCreated"]
    assert component["parameters"] == [{"name": "Greeting", "type": "String", "defaultValue": ["hello"],
                                        "description": "What to say."}]
    for absent in ("kmsKeyId", "changeDescription", "supportedOsVersions", "description"):
        assert absent not in component
    assert out["latestVersionReferences"]["latestPatchVersionArn"] == arn.rsplit("/", 1)[0]


def test_optional_members_are_kept(ib):
    arn = factories.component(ib, description="d", changeDescription="c", kmsKeyId="alias/mine",
                              supportedOsVersions=["Amazon Linux 2"], tags={"team": "a"})
    component = ib.get_component(componentBuildVersionArn=arn)["component"]
    assert (component["description"], component["changeDescription"], component["kmsKeyId"]) == ("d", "c", "alias/mine")
    assert component["supportedOsVersions"] == ["Amazon Linux 2"]
    assert component["tags"] == {"team": "a"}
    assert component["encrypted"] is True


def test_a_test_only_document_makes_a_test_component(ib):
    arn = factories.component(ib, data=TEST_DOC)
    assert ib.get_component(componentBuildVersionArn=arn)["component"]["type"] == "TEST"


def test_same_version_with_new_content_is_a_new_build(ib):
    first = factories.component(ib, name="builds")
    second = factories.component(ib, name="builds", data=variant(1))
    third = factories.component(ib, name="Builds", data=variant(2))  # names differing in case are the same name
    assert [first, second, third] == [PREFIX + f"builds/1.0.0/{n}" for n in (1, 2, 3)]
    assert ib.get_component(componentBuildVersionArn=third)["component"]["name"] == "Builds"


def test_identical_content_to_the_latest_build_is_rejected(ib):
    arn = factories.component(ib, name="same")
    with pytest.raises(ClientError) as exc:
        factories.component(ib, name="same")
    assert error(exc) == ("ResourceAlreadyExistsException", 400,
                          f"The following resource 'Component' already exists: '{arn}'.")
    assert build_arns(ib) == [arn]


def test_identical_content_to_an_older_build_makes_a_new_build(ib):
    factories.component(ib, name="back")
    factories.component(ib, name="back", data=variant(1))
    assert factories.component(ib, name="back") == PREFIX + "back/1.0.0/3"


def test_a_new_description_alone_is_new_content(ib):
    factories.component(ib, name="desc")
    assert factories.component(ib, name="desc", description="new") == PREFIX + "desc/1.0.0/2"


@pytest.mark.parametrize("version", ["1.0.x", "x.x.x", "1.0", "1.0.0.0", "v1.0.0"])
def test_semantic_version_must_be_three_numbers(ib, version):
    with pytest.raises(ClientError) as exc:
        factories.component(ib, version=version)
    assert error(exc) == ("InvalidParameterValueException", 400,
                          "The value supplied for parameter 'semanticVersion' is not valid. semanticVersion must "
                          r"match pattern ^[0-9]+\.[0-9]+\.[0-9]+$")


def test_version_nodes_are_bounded(ib):
    assert factories.component(ib, version="1073741823.0.0").endswith("/1073741823.0.0/1")
    with pytest.raises(ClientError) as exc:
        factories.component(ib, version="1073741824.0.0")
    assert error(exc)[:2] == ("InvalidVersionNumberException", 400)


@pytest.mark.parametrize("sources", [{"data": factories.LINUX_DOC, "uri": "s3://bucket/doc.yaml"}, {}])
def test_exactly_one_of_data_and_uri(ib, sources):
    with pytest.raises(ClientError) as exc:
        ib.create_component(name="one-of", semanticVersion="1.0.0", platform="Linux", **sources)
    code, status, message = error(exc)
    assert (code, status) == ("InvalidParameterCombinationException", 400)
    assert "'data', 'uri'" in message


@pytest.mark.parametrize("name", ["ab", "-bad name-!", "x" * 129])
def test_name_pattern(ib, name):
    with pytest.raises(ClientError) as exc:
        factories.component(ib, name=name)
    code, status, message = error(exc)
    assert (code, status) == ("InvalidParameterValueException", 400) and "'name'" in message


def test_inline_data_is_limited_to_16000_characters(ib):
    with pytest.raises(ClientError) as exc:
        factories.component(ib, data=factories.LINUX_DOC + "#" * 16000)
    assert error(exc)[:2] == ("InvalidParameterValueException", 400) and "'data'" in error(exc)[2]


def test_missing_required_member_raw(imagebuilder_mock):
    loose = boto3.client("imagebuilder", region_name=REGION, config=Config(parameter_validation=False))
    with pytest.raises(ClientError) as exc:
        loose.create_component(name="no-platform", semanticVersion="1.0.0", data=factories.LINUX_DOC)
    assert error(exc)[:2] == ("InvalidRequestException", 400) and "'platform'" in error(exc)[2]


def test_platform_enum_raw(imagebuilder_mock):
    status, _, body = call(imagebuilder_mock, "CreateComponent", {
        "name": "plat", "semanticVersion": "1.0.0", "platform": "Solaris", "data": factories.LINUX_DOC,
        "clientToken": "t"})
    assert status == 400 and "'platform'" in body["message"]


def test_dry_run_validates_and_creates_nothing(ib):
    with pytest.raises(ClientError) as exc:
        factories.component(ib, dryRun=True)
    assert error(exc)[:2] == ("DryRunOperationException", 412)
    assert build_arns(ib) == []
    with pytest.raises(ClientError) as exc:  # validation comes before the dry-run answer
        factories.component(ib, data="schemaVersion: 1.0\n", dryRun=True)
    assert error(exc)[:2] == ("InvalidParameterValueException", 400)


def test_client_token_replays_the_first_response(ib):
    first = ib.create_component(name="idem", semanticVersion="1.0.0", platform="Linux", data=factories.LINUX_DOC,
                                clientToken="same-token")
    again = ib.create_component(name="idem", semanticVersion="1.0.0", platform="Linux", data=factories.LINUX_DOC,
                                clientToken="same-token")
    assert again["componentBuildVersionArn"] == first["componentBuildVersionArn"]
    assert build_arns(ib) == [first["componentBuildVersionArn"]]


def test_client_token_with_other_parameters_is_a_mismatch(ib):
    ib.create_component(name="idem", semanticVersion="1.0.0", platform="Linux", data=factories.LINUX_DOC,
                        clientToken="same-token")
    with pytest.raises(ClientError) as exc:
        ib.create_component(name="idem", semanticVersion="1.0.0", platform="Linux", data=variant(1),
                            clientToken="same-token")
    assert error(exc)[:2] == ("IdempotentParameterMismatchException", 400)
    assert len(build_arns(ib)) == 1


# -- uri ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("uri", ["https://example.com/doc.yaml", "s3://bucket", "s3:/bucket/key"])
def test_uri_must_be_an_s3_uri(ib, uri):
    with pytest.raises(ClientError) as exc:
        ib.create_component(name="by-uri", semanticVersion="1.0.0", platform="Linux", uri=uri)
    code, status, message = error(exc)
    assert (code, status) == ("InvalidParameterValueException", 400) and "'uri'" in message


def test_uri_without_an_s3_to_read_is_unreachable(ib):
    with pytest.raises(ClientError) as exc:
        ib.create_component(name="by-uri", semanticVersion="1.0.0", platform="Linux", uri="s3://bucket/doc.yaml")
    code, status, message = error(exc)
    assert (code, status) == ("InvalidParameterValueException", 400) and "s3://bucket/doc.yaml" in message
    assert build_arns(ib) == []


def test_uri_is_read_through_moto_s3():
    from moto import mock_aws

    from imagebuilder_mock import mock_imagebuilder

    with mock_aws(), mock_imagebuilder():
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket="component-docs")
        s3.put_object(Bucket="component-docs", Key="hello.yaml", Body=factories.LINUX_DOC.encode())
        ib = boto3.client("imagebuilder", region_name=REGION)
        arn = ib.create_component(name="by-uri", semanticVersion="1.0.0", platform="Linux",
                                  uri="s3://component-docs/hello.yaml")["componentBuildVersionArn"]
        component = ib.get_component(componentBuildVersionArn=arn)["component"]
        assert component["data"] == factories.LINUX_DOC and component["parameters"][0]["name"] == "Greeting"
        with pytest.raises(ClientError) as exc:
            ib.create_component(name="by-uri", semanticVersion="2.0.0", platform="Linux",
                                uri="s3://component-docs/missing.yaml")
        assert error(exc)[:2] == ("InvalidParameterValueException", 400)
        s3.put_object(Bucket="component-docs", Key="bad.yaml", Body=b"schemaVersion: 1.0\n")
        with pytest.raises(ClientError) as exc:
            ib.create_component(name="by-uri", semanticVersion="3.0.0", platform="Linux",
                                uri="s3://component-docs/bad.yaml")
        assert error(exc)[:2] == ("InvalidParameterValueException", 400) and "'phases'" in error(exc)[2]
        s3.put_object(Bucket="component-docs", Key="script.sh", Body=b"echo from s3\n")
        imported = ib.import_component(name="by-uri", semanticVersion="4.0.0", type="BUILD", format="SHELL",
                                       platform="Linux", uri="s3://component-docs/script.sh")
        data = ib.get_component(componentBuildVersionArn=imported["componentBuildVersionArn"])["component"]["data"]
        assert "echo from s3" in data


# -- ImportComponent ---------------------------------------------------------------------------
def test_import_wraps_a_shell_script_in_a_document(ib):
    out = ib.import_component(name="Imported Script", semanticVersion="1.0.0", type="BUILD", format="SHELL",
                              platform="Linux", data="#!/bin/bash\necho imported\n", description="imp")
    assert out["componentBuildVersionArn"] == PREFIX + "imported-script/1.0.0/1"
    assert "latestVersionReferences" not in out and out["clientToken"] and out["requestId"]
    component = ib.get_component(componentBuildVersionArn=out["componentBuildVersionArn"])["component"]
    assert component["type"] == "BUILD" and component["name"] == "Imported Script"
    assert component["description"] == "imp"
    assert "action: ExecuteBash" in component["data"] and "- name: build" in component["data"]
    assert "echo imported" in component["data"]


def test_import_test_component_on_windows(ib):
    arn = ib.import_component(name="win-test", semanticVersion="1.0.0", type="TEST", format="SHELL",
                              platform="Windows", data="Write-Host ok")["componentBuildVersionArn"]
    component = ib.get_component(componentBuildVersionArn=arn)["component"]
    assert component["type"] == "TEST" and component["platform"] == "Windows"
    assert "action: ExecutePowerShell" in component["data"] and "- name: test" in component["data"]


@pytest.mark.parametrize("sources", [{"data": "echo", "uri": "s3://bucket/script.sh"}, {}])
def test_import_exactly_one_of_data_and_uri(ib, sources):
    with pytest.raises(ClientError) as exc:
        ib.import_component(name="imp", semanticVersion="1.0.0", type="BUILD", format="SHELL", platform="Linux",
                            **sources)
    assert error(exc)[:2] == ("InvalidParameterCombinationException", 400)


def test_import_inline_script_is_limited_to_1024_characters(ib):
    with pytest.raises(ClientError) as exc:
        ib.import_component(name="imp", semanticVersion="1.0.0", type="BUILD", format="SHELL", platform="Linux",
                            data="echo " + "x" * 1024)
    assert error(exc)[:2] == ("InvalidParameterValueException", 400)


def test_import_format_and_type_enums_raw(imagebuilder_mock):
    base = {"name": "imp", "semanticVersion": "1.0.0", "platform": "Linux", "data": "echo", "clientToken": "t"}
    status, _, body = call(imagebuilder_mock, "ImportComponent", dict(base, type="BUILD", format="POWERSHELL"))
    assert status == 400 and "'format'" in body["message"]
    status, _, body = call(imagebuilder_mock, "ImportComponent", dict(base, type="DEPLOY", format="SHELL"))
    assert status == 400 and "'type'" in body["message"]


def test_import_builds_and_duplicates(ib):
    args = dict(name="imp", semanticVersion="1.0.0", type="BUILD", format="SHELL", platform="Linux")
    first = ib.import_component(data="echo one", **args)["componentBuildVersionArn"]
    second = ib.import_component(data="echo two", **args)["componentBuildVersionArn"]
    assert (first, second) == (PREFIX + "imp/1.0.0/1", PREFIX + "imp/1.0.0/2")
    with pytest.raises(ClientError) as exc:
        ib.import_component(data="echo two", **args)
    assert error(exc)[:2] == ("ResourceAlreadyExistsException", 400)
    with pytest.raises(ClientError) as exc:
        ib.import_component(data="echo three", semanticVersion="1.0.x",
                            **{k: v for k, v in args.items() if k != "semanticVersion"})
    assert error(exc)[:2] == ("InvalidParameterValueException", 400)


def test_import_client_token(ib):
    args = dict(name="imp", semanticVersion="1.0.0", type="BUILD", format="SHELL", platform="Linux",
                clientToken="imp-token")
    first = ib.import_component(data="echo one", **args)
    assert ib.import_component(data="echo one", **args)["componentBuildVersionArn"] == first["componentBuildVersionArn"]
    with pytest.raises(ClientError) as exc:
        ib.import_component(data="echo other", **args)
    assert error(exc)[:2] == ("IdempotentParameterMismatchException", 400)


# -- GetComponent ------------------------------------------------------------------------------
def test_get_by_version_and_wildcard_arns_resolves_the_latest_build(ib):
    factories.component(ib, name="wild", version="1.0.0")
    latest_100 = factories.component(ib, name="wild", version="1.0.0", data=variant(1))
    v160 = factories.component(ib, name="wild", version="1.6.0")
    v178 = factories.component(ib, name="wild", version="1.7.8")
    v224 = factories.component(ib, name="wild", version="2.2.4")
    expected = {"1.0.0": latest_100, "1.0.x": latest_100, "1.6.x": v160, "1.x.x": v178, "x.x.x": v224,
                "2.2.4": v224}
    for version, arn in expected.items():
        got = ib.get_component(componentBuildVersionArn=PREFIX + f"wild/{version}")
        assert got["component"]["arn"] == arn, version
        assert got["latestVersionReferences"]["latestPatchVersionArn"] == arn.rsplit("/", 1)[0]


def test_version_arns_skip_deprecated_builds(ib, imagebuilder_mock):
    first = factories.component(ib, name="dep")
    second = factories.component(ib, name="dep", data=variant(1))
    set_status(imagebuilder_mock, second, "DEPRECATED")
    assert ib.get_component(componentBuildVersionArn=PREFIX + "dep/1.0.0")["component"]["arn"] == first
    got = ib.get_component(componentBuildVersionArn=second)["component"]  # the build ARN still reads it
    assert got["state"] == {"status": "DEPRECATED"}


def test_get_aws_owned_component(ib):
    out = ib.get_component(componentBuildVersionArn=AWS_PREFIX + "update-linux/x.x.x")
    component = out["component"]
    assert component["arn"] == AWS_PREFIX + "update-linux/1.0.2/1"
    assert component["owner"] == "Amazon" and component["type"] == "BUILD"
    assert out["latestVersionReferences"]["latestVersionArn"] == AWS_PREFIX + "update-linux/x.x.x"
    stig = ib.get_component(componentBuildVersionArn=AWS_PREFIX + "stig-build-linux/x.x.x")["component"]
    assert [p["name"] for p in stig["parameters"]] == ["InstallPackages", "SetDoDConsentBanner"]


def test_a_component_lives_in_one_region(ib):
    arn = factories.component(ib, name="regional")
    elsewhere = boto3.client("imagebuilder", region_name="eu-west-1")
    for client, asked in ((elsewhere, arn), (ib, arn.replace(REGION, "eu-west-1"))):
        with pytest.raises(ClientError) as exc:
            client.get_component(componentBuildVersionArn=asked)
        assert error(exc)[:2] == ("ResourceNotFoundException", 404)
    assert elsewhere.list_components()["componentVersionList"] == []


@pytest.mark.parametrize("arn", [PREFIX + "missing/1.0.0/1", PREFIX + "missing/x.x.x", AWS_PREFIX + "nope/1.0.0",
                                 f"arn:aws:imagebuilder:{REGION}:{OTHER}:component/theirs/1.0.0/1"])
def test_get_missing_component_is_not_found(ib, arn):
    with pytest.raises(ClientError) as exc:
        ib.get_component(componentBuildVersionArn=arn)
    assert error(exc) == ("ResourceNotFoundException", 404,
                          f"The following required resource 'Component' cannot be found: '{arn}'.")


def test_get_wildcard_followed_by_a_number(ib):
    """`1.x.0` fits the ARN pattern; a number right of an `x` is the version syntax error. INFERRED code."""
    with pytest.raises(ClientError) as exc:
        ib.get_component(componentBuildVersionArn=PREFIX + "xyz/1.x.0")
    assert error(exc)[:2] == ("InvalidVersionNumberException", 400)


@pytest.mark.parametrize("arn", ["not-an-arn", PREFIX + "x/1.0.0/x",
                                 f"arn:aws:imagebuilder:{REGION}:{ACCOUNT}:image-recipe/x/1.0.0",
                                 PREFIX + "Upper/1.0.0/1"])
def test_get_malformed_arn(ib, arn):
    with pytest.raises(ClientError) as exc:
        ib.get_component(componentBuildVersionArn=arn)
    code, status, message = error(exc)
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert message.startswith("The value supplied for parameter 'componentBuildVersionArn' is not valid.")


def test_shared_component_is_readable_by_the_other_account(ib, other):
    arn = factories.component(ib, name="shared-one")
    with pytest.raises(ClientError) as exc:
        other.get_component(componentBuildVersionArn=arn)
    assert error(exc)[:2] == ("ResourceNotFoundException", 404)
    share(ib, arn)
    component = other.get_component(componentBuildVersionArn=arn)["component"]
    assert component["owner"] == ACCOUNT and component["arn"] == arn


# -- ListComponents ----------------------------------------------------------------------------
def test_list_returns_one_version_arn_per_version_with_the_latest_build(ib):
    factories.component(ib, name="listed", description="first")
    factories.component(ib, name="listed", description="second")
    factories.component(ib, name="listed", version="2.0.0", data=TEST_DOC)
    items = ib.list_components()["componentVersionList"]
    assert [i["arn"] for i in items] == [PREFIX + "listed/1.0.0", PREFIX + "listed/2.0.0"]
    first = items[0]
    assert first["description"] == "second" and first["status"] == "ACTIVE"
    assert (first["name"], first["version"], first["platform"], first["type"], first["owner"]) == \
        ("listed", "1.0.0", "Linux", "BUILD", ACCOUNT)
    assert items[1]["type"] == "TEST"


def test_list_by_name_aggregates_versions(ib):
    factories.component(ib, name="alpha", version="1.0.0")
    factories.component(ib, name="alpha", version="1.2.0")
    factories.component(ib, name="beta", version="3.0.0")
    items = ib.list_components(byName=True)["componentVersionList"]
    assert [(i["name"], i["version"]) for i in items] == [("alpha", "1.2.0"), ("beta", "3.0.0")]


def test_by_name_cannot_be_combined_with_the_version_filter(ib):
    with pytest.raises(ClientError) as exc:
        ib.list_components(byName=True, filters=[{"name": "version", "values": ["1.0.0"]}])
    assert error(exc)[:2] == ("InvalidRequestException", 400)


def test_list_owners(ib, other):
    mine = factories.component(ib, name="mine")
    amazon = collect(ib, "list_components", "componentVersionList", owner="Amazon")
    assert amazon and all(i["owner"] == "Amazon" and i["arn"].startswith(AWS_PREFIX) for i in amazon)
    assert AWS_PREFIX + "update-linux/1.0.2" in [i["arn"] for i in amazon]
    assert ib.list_components(owner="ThirdParty")["componentVersionList"] == []
    marketplace = collect(ib, "list_components", "componentVersionList", owner="AWSMarketplace")
    in_catalog = {a.rsplit("/", 1)[0] for a in catalog.collection(REGION, "component", "aws-marketplace")}
    assert marketplace and {i["arn"] for i in marketplace} == in_catalog
    assert all(i["owner"] == "AWSMarketplace" and i["arn"].startswith(f"arn:aws:imagebuilder:{REGION}:aws-marketplace:")
               and i["productCodes"][0]["productCodeType"] == "marketplace" for i in marketplace)
    assert not {i["arn"] for i in marketplace} & {i["arn"] for i in amazon}
    for item in marketplace:
        codes = [c["productCodeId"] for c in item.get("productCodes", [])]
        filtered = ib.list_components(owner="AWSMarketplace", filters=[
            {"name": "productCodes", "values": codes[:1]}])["componentVersionList"]
        assert item["arn"] in [i["arn"] for i in filtered]
    assert other.list_components(owner="Shared")["componentVersionList"] == []
    share(ib, mine)
    shared = other.list_components(owner="Shared")["componentVersionList"]
    assert [(i["arn"], i["owner"]) for i in shared] == [(mine.rsplit("/", 1)[0], ACCOUNT)]
    assert other.list_components()["componentVersionList"] == []
    assert ib.list_components(owner="Shared")["componentVersionList"] == []


def test_list_owner_enum_raw(imagebuilder_mock):
    status, _, body = call(imagebuilder_mock, "ListComponents", {"owner": "Everyone"})
    assert status == 400 and "'owner'" in body["message"]


@needs_filter_value("*")
def test_list_filters(ib):
    factories.component(ib, name="Web Server", description="web", supportedOsVersions=["Amazon Linux 2"])
    factories.component(ib, name="web-test", data=TEST_DOC, version="2.0.0")
    win = NO_PARAMS_DOC.replace("ExecuteBash", "ExecutePowerShell")
    ib.create_component(name="win", semanticVersion="1.0.0", platform="Windows", data=win)

    def names(*filters):
        return [i["name"] for i in ib.list_components(filters=list(filters))["componentVersionList"]]

    assert names({"name": "name", "values": ["Web Server"]}) == ["Web Server"]
    assert names({"name": "name", "values": ["web-server"]}) == []  # the name as entered, not the ARN's
    assert names({"name": "name", "values": ["web*"]}) == ["web-test"]
    assert names({"name": "name", "values": ["*e*"]}) == ["Web Server", "web-test"]
    assert names({"name": "platform", "values": ["Windows"]}) == ["win"]
    assert names({"name": "type", "values": ["TEST"]}) == ["web-test"]
    assert names({"name": "version", "values": ["2.0.0"]}) == ["web-test"]
    assert names({"name": "description", "values": ["web"]}) == ["Web Server"]
    assert names({"name": "supportedOsVersion", "values": ["Amazon Linux 2"]}) == ["Web Server"]
    assert names({"name": "status", "values": ["ACTIVE"]}) == ["Web Server", "web-test", "win"]
    assert names({"name": "productCodes", "values": ["abc"]}) == []
    assert names({"name": "platform", "values": ["Linux"]}, {"name": "type", "values": ["BUILD"]}) == ["Web Server"]


def test_list_rejects_unsupported_filters(ib):
    with pytest.raises(ClientError) as exc:
        ib.list_components(filters=[{"name": "owner", "values": ["Self"]}])
    code, status, message = error(exc)
    assert (code, status) == ("InvalidParameterValueException", 400) and "'owner'" in message


def test_deprecated_versions_are_listed_only_when_asked_for(ib, imagebuilder_mock):
    arn = factories.component(ib, name="old")
    factories.component(ib, name="new")
    set_status(imagebuilder_mock, arn, "DEPRECATED")
    assert [i["name"] for i in ib.list_components()["componentVersionList"]] == ["new"]
    deprecated = ib.list_components(filters=[{"name": "status", "values": ["DEPRECATED"]}])["componentVersionList"]
    assert [(i["name"], i["status"]) for i in deprecated] == [("old", "DEPRECATED")]


def test_list_pagination_through_botocore_paginator(ib):
    for n in range(7):
        factories.component(ib, name=f"page-{n}")
    first = ib.list_components(maxResults=3)
    assert len(first["componentVersionList"]) == 3 and first["nextToken"]
    pages = list(ib.get_paginator("list_components").paginate(PaginationConfig={"PageSize": 3}))
    assert [len(p["componentVersionList"]) for p in pages] == [3, 3, 1]
    assert [i["name"] for p in pages for i in p["componentVersionList"]] == [f"page-{n}" for n in range(7)]
    assert "nextToken" not in pages[-1]


def test_list_bad_token_and_page_size(ib):
    with pytest.raises(ClientError) as exc:
        ib.list_components(nextToken="forged")
    assert error(exc)[:2] == ("InvalidPaginationTokenException", 400)
    with pytest.raises(ClientError) as exc:
        ib.list_components(maxResults=101)
    assert error(exc)[:2] == ("InvalidParameterValueException", 400)


# -- ListComponentBuildVersions ----------------------------------------------------------------
def test_list_build_versions_of_one_version(ib):
    first = factories.component(ib, name="bvs", tags={"k": "v"})
    second = factories.component(ib, name="bvs", data=variant(1))
    factories.component(ib, name="bvs", version="2.0.0")
    summaries = ib.list_component_build_versions(componentVersionArn=PREFIX + "bvs/1.0.0")["componentSummaryList"]
    assert [s["arn"] for s in summaries] == [first, second]
    summary = summaries[0]
    assert summary["version"] == "1.0.0" and summary["state"] == {"status": "ACTIVE"}
    assert summary["tags"] == {"k": "v"} and summary["owner"] == ACCOUNT and summary["type"] == "BUILD"
    assert "data" not in summary


def test_list_build_versions_without_an_arn_lists_every_own_build(ib):
    arns = [factories.component(ib, name=n) for n in ("one", "two")]
    assert build_arns(ib) == arns


def test_list_build_versions_of_an_unknown_version_is_empty(ib):
    assert build_arns(ib, PREFIX + "nothing/1.0.0") == []
    assert build_arns(ib, AWS_PREFIX + "update-linux/1.0.0") == []  # only own components


def test_list_build_versions_excludes_deprecated_builds(ib, imagebuilder_mock):
    first = factories.component(ib, name="bvd")
    second = factories.component(ib, name="bvd", data=variant(1))
    set_status(imagebuilder_mock, first, "DEPRECATED")
    assert build_arns(ib, PREFIX + "bvd/1.0.0") == [second]


@pytest.mark.parametrize("arn", [PREFIX + "bv/1.0.0/1", PREFIX + "bv/1.x.x", "bv"])
def test_list_build_versions_needs_an_exact_version_arn(ib, arn):
    with pytest.raises(ClientError) as exc:
        ib.list_component_build_versions(componentVersionArn=arn)
    code, status, message = error(exc)
    assert (code, status) == ("InvalidParameterValueException", 400) and "'componentVersionArn'" in message


def test_list_build_versions_pagination(ib):
    for n in range(3):
        factories.component(ib, name="paged", data=variant(n))
    pages = list(ib.get_paginator("list_component_build_versions").paginate(
        componentVersionArn=PREFIX + "paged/1.0.0", PaginationConfig={"PageSize": 2}))
    assert [len(p["componentSummaryList"]) for p in pages] == [2, 1]
    with pytest.raises(ClientError) as exc:
        ib.list_component_build_versions(nextToken="forged")
    assert error(exc)[:2] == ("InvalidPaginationTokenException", 400)


# -- DeleteComponent ---------------------------------------------------------------------------
def test_delete_removes_one_build(ib):
    first = factories.component(ib, name="gone")
    second = factories.component(ib, name="gone", data=variant(1))
    out = ib.delete_component(componentBuildVersionArn=second)
    assert out["componentBuildVersionArn"] == second and out["requestId"]
    assert build_arns(ib) == [first]
    with pytest.raises(ClientError) as exc:
        ib.get_component(componentBuildVersionArn=second)
    assert error(exc)[:2] == ("ResourceNotFoundException", 404)
    assert ib.get_component(componentBuildVersionArn=PREFIX + "gone/1.0.0")["component"]["arn"] == first


@pytest.mark.parametrize("arn", [PREFIX + "missing/1.0.0/1", AWS_PREFIX + "update-linux/1.0.0/1",
                                 f"arn:aws:imagebuilder:{REGION}:{OTHER}:component/theirs/1.0.0/1"])
def test_delete_missing_is_not_found(ib, arn):
    with pytest.raises(ClientError) as exc:
        ib.delete_component(componentBuildVersionArn=arn)
    assert error(exc) == ("ResourceNotFoundException", 404,
                          f"The following required resource 'Component' cannot be found: '{arn}'.")


@pytest.mark.parametrize("suffix", ["x/1.0.0", "x/x.x.x"])
def test_delete_needs_a_build_arn(ib, suffix):
    with pytest.raises(ClientError) as exc:
        ib.delete_component(componentBuildVersionArn=PREFIX + suffix)
    assert error(exc)[:2] == ("InvalidParameterValueException", 400)


@pytest.mark.parametrize("reference", ["{arn}", "{version}", "{prefix}used/x.x.x", "{prefix}used/1.0.x"])
def test_delete_of_a_component_a_recipe_uses_is_refused(ib, reference):
    arn = factories.component(ib, name="used")
    ref = reference.format(arn=arn, version=arn.rsplit("/", 1)[0], prefix=PREFIX)
    factories.image_recipe(ib, components=[ref])
    with pytest.raises(ClientError) as exc:
        ib.delete_component(componentBuildVersionArn=arn)
    assert error(exc) == ("ResourceDependencyException", 400,
                          f"Resource dependency error: The resource ARN '{arn}' has other resources depended on it.")
    assert build_arns(ib) == [arn]


def test_delete_of_a_build_a_wildcard_no_longer_resolves_to(ib):
    old = factories.component(ib, name="moved")
    factories.component(ib, name="moved", version="1.1.0")
    factories.image_recipe(ib, components=[PREFIX + "moved/x.x.x"])
    assert ib.delete_component(componentBuildVersionArn=old)["componentBuildVersionArn"] == old


def test_delete_of_a_component_a_container_recipe_uses_is_refused(ib):
    arn = factories.component(ib, name="in-container")
    ib.create_container_recipe(
        containerType="DOCKER", name="uses-component", semanticVersion="1.0.0",
        parentImage=f"arn:aws:imagebuilder:{REGION}:aws:image/amazon-linux-2-x86/x.x.x",
        components=[{"componentArn": arn}], dockerfileTemplateData="FROM {{{ imagebuilder:parentImage }}}\n"
        "{{{ imagebuilder:environments }}}\n{{{ imagebuilder:components }}}\n",
        targetRepository={"service": "ECR", "repositoryName": "repo"})
    with pytest.raises(ClientError) as exc:
        ib.delete_component(componentBuildVersionArn=arn)
    assert error(exc)[:2] == ("ResourceDependencyException", 400)


def test_delete_of_a_shared_component_is_refused(ib):
    arn = factories.component(ib, name="shared-del")
    share(ib, arn)
    with pytest.raises(ClientError) as exc:
        ib.delete_component(componentBuildVersionArn=arn)
    assert error(exc)[:2] == ("ResourceDependencyException", 400)


def test_deleted_build_is_gone_from_lists(ib):
    arn = factories.component(ib, name="vanish")
    ib.delete_component(componentBuildVersionArn=arn)
    assert ib.list_components()["componentVersionList"] == []
    assert build_arns(ib) == []


# -- resolve_for_recipe, through CreateImageRecipe ---------------------------------------------
def recipe_error(ib, components: list[dict], parent: str | None = None) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as exc:
        ib.create_image_recipe(name=factories.unique("recipe"), semanticVersion="1.0.0",
                               parentImage=parent or factories.AL2.format(region=REGION), components=components)
    return error(exc)


def test_recipe_with_a_missing_component(ib):
    arn = PREFIX + "absent/x.x.x"
    assert recipe_error(ib, [{"componentArn": arn}]) == (
        "ResourceNotFoundException", 404, f"The following required resource 'Component' cannot be found: '{arn}'.")


def test_recipe_with_undefined_parameters(ib):
    arn = factories.component(ib)
    code, status, message = recipe_error(ib, [{"componentArn": arn, "parameters": [
        {"name": "S3BucketName", "value": ["b"]}]}])
    assert (code, status) == ("InvalidParameterCombinationException", 400)
    assert message == ("The value supplied for parameter 'components[0].parameters' is not valid. The following "
                       "parameters are not defined in the provided component: S3BucketName")


def test_recipe_parameter_value_needs_exactly_one_element(ib):
    arn = factories.component(ib)
    code, status, _ = recipe_error(ib, [{"componentArn": arn, "parameters": [
        {"name": "Greeting", "value": ["a", "b"]}]}])
    assert (code, status) == ("InvalidParameterValueException", 400)


def test_parameters_without_default_are_not_checked_when_the_recipe_is_created(ib):
    """AWS: "any required parameters that are not included will result in a build failure" (aws-cdk #36092)."""
    data = factories.LINUX_DOC.replace("      default: hello\n", "")
    arn = factories.component(ib, data=data)
    assert ib.get_component(componentBuildVersionArn=arn)["component"]["parameters"][0] == {
        "name": "Greeting", "type": "String", "description": "What to say."}
    parent = factories.AL2.format(region=REGION)
    left_out = ib.create_image_recipe(name="leaves-greeting", semanticVersion="1.0.0", parentImage=parent,
                                      components=[{"componentArn": arn}])
    assert left_out["imageRecipeArn"].endswith("image-recipe/leaves-greeting/1.0.0")
    greeting = [{"name": "Greeting", "value": ["hi"]}]
    ok = ib.create_image_recipe(name="sets-greeting", semanticVersion="1.0.0", parentImage=parent,
                                components=[{"componentArn": arn, "parameters": greeting}])
    assert ok["imageRecipeArn"].endswith("image-recipe/sets-greeting/1.0.0")


def test_recipe_with_aws_component_parameters(ib):
    stig = AWS_PREFIX + "stig-build-linux/x.x.x"
    ok = ib.create_image_recipe(name="stig", semanticVersion="1.0.0", parentImage=factories.AL2.format(region=REGION),
                                components=[{"componentArn": stig, "parameters": [
                                    {"name": "InstallPackages", "value": ["Yes"]}]}])
    assert ok["imageRecipeArn"]
    assert recipe_error(ib, [{"componentArn": stig, "parameters": [{"name": "Bogus", "value": ["x"]}]}])[:2] == \
        ("InvalidParameterCombinationException", 400)


def test_recipe_with_a_deprecated_component(ib, imagebuilder_mock):
    arn = factories.component(ib, name="retired")
    set_status(imagebuilder_mock, arn, "DEPRECATED")
    assert recipe_error(ib, [{"componentArn": arn}])[:2] == ("InvalidParameterValueException", 400)
    assert recipe_error(ib, [{"componentArn": PREFIX + "retired/x.x.x"}])[:2] == ("InvalidParameterValueException", 400)


def test_recipe_with_a_component_of_another_platform(ib):
    code, status, message = recipe_error(ib, [{"componentArn": AWS_PREFIX + "update-windows/x.x.x"}])
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert message.startswith("The value supplied for parameter 'components' is not valid. Component ARN ")


def test_recipe_with_a_shared_component(ib, other):
    arn = factories.component(ib, name="lent")
    assert recipe_error(other, [{"componentArn": arn}])[:2] == ("ResourceNotFoundException", 404)
    share(ib, arn)
    out = other.create_image_recipe(name="borrower", semanticVersion="1.0.0",
                                    parentImage=factories.AL2.format(region=REGION), components=[{"componentArn": arn}])
    assert out["imageRecipeArn"].startswith(f"arn:aws:imagebuilder:{REGION}:{OTHER}:image-recipe/borrower/")


def test_recipe_parameter_values_must_read_as_their_type_and_appear_once(ib):
    data = factories.LINUX_DOC.replace("      type: string\n      default: hello\n", "      type: integer\n      default: 1\n")
    arn = factories.component(ib, data=data)
    code, status, message = recipe_error(ib, [{"componentArn": arn, "parameters": [
        {"name": "Greeting", "value": ["many"]}]}])
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert "'components[0].parameters[0].value'" in message
    twice = [{"name": "Greeting", "value": ["1"]}, {"name": "Greeting", "value": ["2"]}]
    assert recipe_error(ib, [{"componentArn": arn, "parameters": twice}])[:2] == ("InvalidParameterValueException", 400)
