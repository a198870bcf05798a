"""When builds reach other AWS services, and as whom: moto's detection, clients per account, identity.

Active when moto's `mock_aws` is active in the process, or when the mock has the setting
`aws_endpoint_url=` (a moto server, LocalStack, ...). moto is detected through
`moto.core.models.botocore_stubber.enabled`: the public, module-level stubber object moto registers in
botocore's `BUILTIN_HANDLERS` and switches on and off exactly while a `mock_aws` is active (its
`process_prepared_request` answers only when it is on). It is read only when moto is already imported
(`sys.modules`), so a process without moto never imports it, and the check costs a dict look-up.
`MockAWS._mocks_active` says the same but is private; botocore's handler list says whether moto is
*installed*, not whether it is active.

Acting as an account: moto derives the account of a request from `MOTO_ACCOUNT_ID`, else from the
access key (keys handed out by IAM's CreateAccessKey or STS's AssumeRole belong to their account), else
its default account. The public way to act as another account is the one AWS has: STS AssumeRole into a
role of that account (moto documents that the role need not exist). That is what Image Builder does too
for cross-account distribution (`EC2ImageBuilderDistributionCrossAccountRole`).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import boto3
import botocore.config
import botocore.session

from .._backend.caches import memoize
from .._backend.moto_state import moto_active

if TYPE_CHECKING:
    from .._backend.store import Backend

#: moto's account when neither MOTO_ACCOUNT_ID nor a known access key says otherwise.
MOTO_DEFAULT_ACCOUNT = "123456789012"
#: The role Image Builder assumes in a target account of a cross-account distribution.
CROSS_ACCOUNT_ROLE = "EC2ImageBuilderDistributionCrossAccountRole"
_CONFIG = botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"})
_FAKE_SECRET = "imagebuilder-mock-secret"  # moto and moto's server do not check signatures


@memoize(maxsize=1)
def _session() -> boto3.session.Session:
    """One boto3 session for every client the effects make: its loader reads each service's model once
    (a new session per build would parse EC2's model again: seconds). Credentials are given per client."""
    return boto3.session.Session(botocore_session=botocore.session.Session())


def active(backend: Backend) -> bool:
    """Whether builds of `backend` have effects in other AWS services."""
    return backend.settings.get("aws_endpoint_url") is not None or moto_active()


class Clients:
    """boto3 clients of one piece of work (a build's stage), made once per (service, account, region).

    The first account asked for is the one the default credentials belong to (STS says which); any other
    is reached through AssumeRole into `CROSS_ACCOUNT_ROLE` of that account.
    """

    def __init__(self, backend: Backend) -> None:
        self.endpoint_url = backend.settings.get("aws_endpoint_url")
        self._session = _session()
        self._default_credentials = self._fake_credentials()
        self._clients: dict[tuple[str, str, str], Any] = {}  # boto3 clients
        self._credentials: dict[str, dict[str, str]] = {}
        self._default_account: str | None = None

    def _fake_credentials(self) -> dict[str, str]:
        key = os.environ.get("AWS_ACCESS_KEY_ID") if self.endpoint_url is None and moto_active() else None
        # under mock_aws: moto's own key (FOOBARKEY) or the user's, as any client there would sign with
        return {"aws_access_key_id": key or "AKIAIMAGEBUILDERMOCK", "aws_secret_access_key": _FAKE_SECRET}

    def _plain(self, service: str, region: str, **credentials: str) -> Any:
        credentials = credentials or self._default_credentials
        # boto3-stubs types client() per literal service name; `service` is only known at run time.
        return self._session.client(  # type: ignore[call-overload]
            service, region_name=region, endpoint_url=self.endpoint_url, config=_CONFIG, **credentials)

    def default_account(self, region: str) -> str:
        if self._default_account is None:
            self._default_account = self._plain("sts", region).get_caller_identity()["Account"]
        return self._default_account

    def __call__(self, service: str, account: str, region: str) -> Any:
        """A client of `service` acting as `account` in `region`."""
        key = (service, account, region)
        client = self._clients.get(key)
        if client is None:
            if account == self.default_account(region) or os.environ.get("MOTO_ACCOUNT_ID"):
                client = self._plain(service, region)
            else:
                client = self._plain(service, region, **self._assumed(account, region))
            self._clients[key] = client
        return client

    def _assumed(self, account: str, region: str) -> dict[str, str]:
        credentials = self._credentials.get(account)
        if credentials is None:
            partition = "aws-cn" if region.startswith("cn-") else "aws-us-gov" if region.startswith("us-gov-") \
                else "aws"
            got = self._plain("sts", region).assume_role(
                RoleArn=f"arn:{partition}:iam::{account}:role/{CROSS_ACCOUNT_ROLE}",
                RoleSessionName="EC2ImageBuilder")["Credentials"]
            credentials = self._credentials[account] = {
                "aws_access_key_id": got["AccessKeyId"], "aws_secret_access_key": got["SecretAccessKey"],
                "aws_session_token": got["SessionToken"]}
        return credentials


def account_of(backend: Backend, access_key: str | None) -> str:
    """The account a request signed with `access_key` acts as: what STS says of the key (moto:
    MOTO_ACCOUNT_ID, else the account that handed the key out), except that moto's fallback answer for a
    key it does not know leaves the mock's own `account_id` in force. Remembered per key until reset."""
    if not access_key or not active(backend):
        return backend.default_account
    moto_account = os.environ.get("MOTO_ACCOUNT_ID")
    known: dict[tuple[str, str | None], str] = backend.extensions.setdefault("aws_identities", {})
    cache_key = (access_key, moto_account)
    account = known.get(cache_key)
    if account is None:
        endpoint_url = backend.settings.get("aws_endpoint_url")
        sts = _session().client(
            "sts", region_name="us-east-1", endpoint_url=endpoint_url, config=_CONFIG,
            aws_access_key_id=access_key, aws_secret_access_key=_FAKE_SECRET)
        try:
            account = sts.get_caller_identity()["Account"]
        except Exception:  # noqa: BLE001 - an endpoint that cannot tell: the mock's own account
            account = backend.default_account
        if account == MOTO_DEFAULT_ACCOUNT and moto_account is None:
            account = backend.default_account
        known[cache_key] = account
    return account
