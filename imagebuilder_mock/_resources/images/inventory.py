"""Deterministic, plausible build-time data for images: the package inventory that Systems Manager
Inventory collects (ListImagePackages) and the Amazon Inspector package-vulnerability findings
(ListImageScanFindings). Everything derives from the image's OS and ARN, so reads are stable."""

from __future__ import annotations

import datetime
import hashlib
import pathlib
import re
from typing import Any

from ..._backend.caches import memoize
from .._shared.catalog import load_yaml_file
from .._shared.types import Resource

DATA_FILE = pathlib.Path(__file__).with_name("data") / "inventory.yaml"
#: the members of a vulnerability entry of DATA_FILE, in the order `_finding` reads them
_VULNERABILITY_FIELDS = ("id", "package", "fixed", "severity", "score", "vector", "title")


@memoize(maxsize=None)
def _reference() -> Resource:
    """DATA_FILE, read once per process (the packages per OS family, the packages AWS-managed components
    add, the vulnerabilities per package family)."""
    data: Resource = load_yaml_file(DATA_FILE)
    return data


def _base_packages(family: str) -> tuple[str, list[tuple[str, str]]]:
    """(package manager, [(package, version)]) of an OS family, as SSM Inventory reports them."""
    entry = _reference()["packages"][family]
    return entry["manager"], list(entry["installed"].items())


def _component_package(component: str) -> tuple[str, str] | None:
    """(package, version) an AWS-managed component installs, if it is one that does."""
    entry = _reference()["component_packages"].get(component)
    return None if entry is None else (entry["package"], entry["version"])


def _vulnerabilities(table: str) -> list[tuple[Any, ...]]:
    """(id, package, fixed version or None, severity, CVSS 3.1 score, vector, title) of a package family."""
    return [tuple(entry[field] for field in _VULNERABILITY_FIELDS) for entry in _reference()["vulnerabilities"][table]]


_VENDOR_DATE = datetime.datetime(2024, 7, 1, tzinfo=datetime.timezone.utc)
#: Inspector severity for CVSS 3 scores below the ones in the table (UG Inspector severity levels).
SEVERITIES = ("CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNTRIAGED")


def os_family(image: Resource) -> str:
    """The package family of an image, from its osVersion, else its platform."""
    os_version = (image.get("osVersion") or "").lower()
    platform = (image.get("platform") or "Linux").lower()
    if "2023" in os_version and "amazon" in os_version:
        return "amazon-linux-2023"
    if "amazon" in os_version:
        return "amazon-linux-2"
    if "ubuntu" in os_version or "debian" in os_version:
        return "ubuntu"
    if "windows" in os_version or platform == "windows":
        return "windows"
    if "mac" in os_version or platform == "macos":
        return "macos"
    return "amazon-linux-2"


def _component_names(image: Resource) -> list[str]:
    recipe = image.get("imageRecipe") or image.get("containerRecipe") or {}
    names = []
    for component in recipe.get("components") or []:
        arn = component.get("componentArn") or ""
        parts = arn.split(":", 5)[-1].split("/")
        if len(parts) > 1:
            names.append(parts[1])
    return names


def packages(image: Resource) -> list[Resource]:
    """The image's package inventory, sorted by name."""
    _, base = _base_packages(os_family(image))
    found = dict(base)
    for name in _component_names(image):
        added = _component_package(name)
        if added is not None:
            package, version = added
            found[package] = version
    return [{"packageName": n, "packageVersion": v} for n, v in sorted(found.items(), key=lambda i: i[0].lower())]


def _bump(version: str) -> str:
    """The next release of `version`: its last number plus one ("1.2-3.amzn2.0.9" -> "...0.10")."""
    match = re.search(r"(\d+)(\D*)$", version)
    if not match:
        return version + ".1"
    return version[:match.start(1)] + str(int(match.group(1)) + 1) + match.group(2)


def _evr(version: str) -> tuple[int, str, str | None]:
    """A package version's epoch, version and release, as Inspector reports them apart:
    "1:2.5.0-1.amzn2023.0.5" -> (1, "2.5.0", "1.amzn2023.0.5"); no epoch is 0, no `-` no release."""
    epoch, _, rest = version.rpartition(":") if ":" in version else ("0", "", version)
    upstream, _, release = rest.partition("-")
    return (int(epoch) if epoch.isdigit() else 0), upstream, (release or None)


def _digest(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest(), 16)


def _created(image: Resource) -> datetime.datetime:
    try:
        return datetime.datetime.fromisoformat(str(image.get("dateCreated")).replace("Z", "+00:00"))
    except ValueError:
        return _VENDOR_DATE


def findings(image: Resource, account: str) -> list[Resource]:
    """The Inspector findings for one scanned image: a stable subset of its OS family's
    vulnerabilities, most severe first."""
    family = os_family(image)
    table = _vulnerabilities("linux-deb" if family == "ubuntu" else "linux-rpm" if family.startswith("amazon")
                             else family)
    installed = {p["packageName"]: p["packageVersion"] for p in packages(image)}
    seed = _digest(image["arn"])
    chosen = [v for i, v in enumerate(table) if (seed >> i) & 1 or i == seed % len(table)]
    observed = _created(image) + datetime.timedelta(minutes=20)
    container = image.get("type") == "DOCKER"
    out = [_finding(image, account, entry, installed, observed, container) for entry in chosen]
    return sorted(out, key=lambda f: (SEVERITIES.index(f["severity"]), f["packageVulnerabilityDetails"]["vulnerabilityId"]))


def _finding(image: Resource, account: str, entry: tuple[Any, ...], installed: Resource, observed: datetime.datetime,
             container: bool) -> Resource:
    vulnerability_id, package, has_fix, severity, score, vector, title = entry
    version = installed.get(package, "0")
    fixed = _bump(version) if has_fix else None
    epoch, upstream, release = _evr(version)
    vulnerable = {"name": package, "version": upstream, "epoch": epoch, "packageManager": "OS",
                  "arch": "ARM64" if "arm64" in image["arn"] else "X86_64"}
    if release:
        vulnerable["release"] = release
    if fixed:
        vulnerable["fixedInVersion"] = fixed
        vulnerable["remediation"] = f"Update {package} to {fixed} or later."
    if container:
        vulnerable["sourceLayerHash"] = "sha256:" + hashlib.sha256((image["arn"] + package).encode()).hexdigest()
    nvd = f"https://nvd.nist.gov/vuln/detail/{vulnerability_id}"
    finding = {
        "awsAccountId": account,
        "imageBuildVersionArn": image["arn"],
        "type": "PACKAGE_VULNERABILITY",
        "title": f"{vulnerability_id} - {package}",
        "description": f"{title}. An attacker could exploit this vulnerability in {package} {version}.",
        # Inspector's text when it has no advice is "None Provided", without a url (the AWS CLI's example)
        "remediation": {"recommendation": {"text": f"Update {package} to {fixed} or later.", "url": nvd}
                        if fixed else {"text": "None Provided"}},
        "severity": severity,
        "firstObservedAt": observed,
        "updatedAt": observed,
        "inspectorScore": score,
        "inspectorScoreDetails": {"adjustedCvss": {
            "scoreSource": "NVD", "cvssSource": "NVD", "version": "3.1", "score": score,
            "scoringVector": vector, "adjustments": []}},
        "packageVulnerabilityDetails": {
            "vulnerabilityId": vulnerability_id,
            "vulnerablePackages": [vulnerable],
            "source": "NVD",
            "cvss": [{"baseScore": score, "scoringVector": vector, "version": "3.1", "source": "NVD"}],
            "relatedVulnerabilities": [],
            "sourceUrl": nvd,
            "vendorSeverity": severity,
            "vendorCreatedAt": _VENDOR_DATE,
            "vendorUpdatedAt": _VENDOR_DATE + datetime.timedelta(days=30),
            "referenceUrls": [nvd],
        },
        "fixAvailable": "YES" if fixed else "NO",
    }
    if image.get("sourcePipelineArn"):
        finding["imagePipelineArn"] = image["sourcePipelineArn"]
    return finding
