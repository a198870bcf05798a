"""Builds that reach other AWS services (moto in process, or an endpoint): docs/aws-integration.md.

`sessions` (when it is on, clients per account, identity), `effects` (the lifecycle hook), and one
module per effect: `checks`, `amis`, `distribution`, `containers`, `notify`, `policies`.
"""
