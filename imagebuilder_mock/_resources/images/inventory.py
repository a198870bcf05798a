"""Deterministic, plausible build-time data for images: the package inventory that Systems Manager
Inventory collects (ListImagePackages) and the Amazon Inspector package-vulnerability findings
(ListImageScanFindings). Everything derives from the image's OS and ARN, so reads are stable."""

from __future__ import annotations

import datetime
import hashlib
import re
from typing import Any

from .._shared.types import Resource

#: OS family -> (package manager, [(package, version)]) as SSM Inventory reports them.
PACKAGES: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "amazon-linux-2": ("OS", (
        ("amazon-ssm-agent", "3.3.1142.0-1.amzn2"), ("aws-cfn-bootstrap", "2.0-29.amzn2"),
        ("bash", "4.2.46-34.amzn2"), ("ca-certificates", "2023.2.64-1.amzn2.0.1"),
        ("cloud-init", "19.3-46.amzn2.0.2"), ("curl", "8.3.0-1.amzn2.0.7"), ("expat", "2.1.0-15.amzn2.0.3"),
        ("glibc", "2.26-64.amzn2.0.2"), ("kernel", "5.10.228-219.884.amzn2"), ("libcurl", "8.3.0-1.amzn2.0.7"),
        ("libxml2", "2.9.1-6.amzn2.5.13"), ("openssh", "7.4p1-22.amzn2.0.9"),
        ("openssl-libs", "1.0.2k-24.amzn2.0.14"), ("python", "2.7.18-1.amzn2.0.11"),
        ("python3", "3.7.16-1.amzn2.0.10"), ("rpm", "4.11.3-48.amzn2.0.4"), ("sudo", "1.8.23-10.amzn2.3.6"),
        ("systemd", "219-78.amzn2.0.23"), ("vim-minimal", "9.0.2153-1.amzn2.0.3"), ("yum", "3.4.3-158.amzn2.0.7"),
        ("zlib", "1.2.7-19.amzn2.0.3"),
    )),
    "amazon-linux-2023": ("OS", (
        ("amazon-ssm-agent", "3.3.1142.0-1.amzn2023"), ("bash", "5.2.15-1.amzn2023.0.2"),
        ("ca-certificates", "2023.2.68-1.0.amzn2023.0.1"), ("cloud-init", "22.2.2-1.amzn2023.1.13"),
        ("curl-minimal", "8.5.0-1.amzn2023.0.4"), ("dnf", "4.14.0-1.amzn2023.0.5"),
        ("expat", "2.5.0-1.amzn2023.0.4"), ("glibc", "2.34-117.amzn2023.0.1"),
        ("kernel", "6.1.119-129.201.amzn2023"), ("libcurl-minimal", "8.5.0-1.amzn2023.0.4"),
        ("libxml2", "2.10.4-1.amzn2023.0.6"), ("openssh", "8.7p1-8.amzn2023.0.13"),
        ("openssl-libs", "3.0.8-1.amzn2023.0.18"), ("python3", "3.9.20-1.amzn2023.0.3"),
        ("rpm", "4.16.1.3-29.amzn2023.0.6"), ("sudo", "1.9.15-1.p5.amzn2023.0.1"),
        ("systemd", "252.23-2.amzn2023"), ("vim-minimal", "9.1.825-1.amzn2023.0.1"),
        ("zlib", "1.2.11-33.amzn2023.0.5"),
    )),
    "ubuntu": ("OS", (
        ("apt", "2.4.13"), ("bash", "5.1-6ubuntu1.1"), ("ca-certificates", "20240203~22.04.1"),
        ("cloud-init", "24.3.1-0ubuntu0~22.04.1"), ("curl", "7.81.0-1ubuntu1.18"), ("libc6", "2.35-0ubuntu3.8"),
        ("libcurl4", "7.81.0-1ubuntu1.18"), ("libexpat1", "2.4.7-1ubuntu0.4"), ("libssl3", "3.0.2-0ubuntu1.18"),
        ("libxml2", "2.9.13+dfsg-1ubuntu0.4"), ("linux-image-aws", "6.8.0.1018.19~22.04.1"),
        ("openssh-server", "1:8.9p1-3ubuntu0.10"), ("python3", "3.10.6-1~22.04.1"), ("snapd", "2.63+22.04ubuntu0.1"),
        ("sudo", "1.9.9-1ubuntu2.4"), ("systemd", "249.11-0ubuntu3.12"), ("vim", "2:8.2.3995-1ubuntu2.21"),
        ("zlib1g", "1:1.2.11.dfsg-2ubuntu9.2"),
    )),
    "windows": ("OS", (
        ("AWS PV Drivers", "8.4.3"), ("AWS Tools for Windows", "4.1.700"), ("Amazon Elastic Network Adapter", "2.8.0"),
        ("Amazon NVMe Driver", "1.5.1"), ("Amazon SSM Agent", "3.3.1142.0"), ("EC2Launch v2", "2.0.2014"),
        ("Microsoft Edge", "131.0.2903.70"), ("Microsoft Visual C++ 2019 X64 Minimum Runtime", "14.28.29913"),
        ("OpenSSL", "3.0.15"), ("PowerShell 7-x64", "7.4.6.0"), ("Windows Management Framework", "5.1"),
    )),
    "macos": ("OS", (
        ("Amazon SSM Agent", "3.3.1142.0"), ("EC2 macOS Init", "1.5.11"), ("curl", "8.7.1"),
        ("openssl", "3.3.2"), ("python3", "3.9.6"), ("zsh", "5.9"),
    )),
}

#: Packages that AWS-managed components install, by component name.
COMPONENT_PACKAGES = {
    "amazon-cloudwatch-agent-linux": ("amazon-cloudwatch-agent", "1.300049.1-1"),
    "aws-cli-version-2-linux": ("aws-cli", "2.22.12"),
}

#: (vulnerability id, package, example fixed version or None (None: no fix available), severity,
#:  CVSS 3.1 base score, vector, title). The fixed version reported is the installed one, bumped.
VULNERABILITIES: dict[str, tuple[tuple[Any, ...], ...]] = {
    "linux-rpm": (
        ("CVE-2024-6387", "openssh", "8.7p1-8.amzn2023.0.14", "HIGH", 8.1,
         "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H", "Signal handler race condition in OpenSSH's server"),
        ("CVE-2024-2511", "openssl-libs", "3.0.8-1.amzn2023.0.19", "MEDIUM", 5.9,
         "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:H", "Unbounded memory growth with session handling in TLSv1.3"),
        ("CVE-2024-45490", "expat", "2.5.0-1.amzn2023.0.5", "CRITICAL", 9.8,
         "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "Negative length passed to XML_ParseBuffer in libexpat"),
        ("CVE-2024-2961", "glibc", "2.34-117.amzn2023.0.2", "HIGH", 7.3,
         "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:L/I:H/A:L", "Out-of-bounds write in iconv ISO-2022-CN-EXT"),
        ("CVE-2024-25062", "libxml2", None, "HIGH", 7.5,
         "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", "Use-after-free in libxml2 xmlValidatePopElement"),
        ("CVE-2023-7104", "sudo", None, "MEDIUM", 5.3,
         "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L", "Heap-based buffer overflow in sessionReadRecord"),
        ("CVE-2024-7264", "curl", "8.5.0-1.amzn2023.0.5", "MEDIUM", 6.5,
         "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:N/A:N", "ASN.1 date parser overread in libcurl"),
        ("CVE-2023-45853", "zlib", None, "LOW", 3.7,
         "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:L", "Integer overflow in zipOpenNewFileInZip4_64"),
    ),
    "linux-deb": (
        ("CVE-2024-6387", "openssh-server", "1:8.9p1-3ubuntu0.11", "HIGH", 8.1,
         "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H", "Signal handler race condition in OpenSSH's server"),
        ("CVE-2024-45490", "libexpat1", "2.4.7-1ubuntu0.5", "CRITICAL", 9.8,
         "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "Negative length passed to XML_ParseBuffer in libexpat"),
        ("CVE-2024-2511", "libssl3", "3.0.2-0ubuntu1.19", "MEDIUM", 5.9,
         "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:H", "Unbounded memory growth with session handling in TLSv1.3"),
        ("CVE-2024-2961", "libc6", "2.35-0ubuntu3.9", "HIGH", 7.3,
         "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:L/I:H/A:L", "Out-of-bounds write in iconv ISO-2022-CN-EXT"),
        ("CVE-2024-25062", "libxml2", None, "HIGH", 7.5,
         "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", "Use-after-free in libxml2 xmlValidatePopElement"),
        ("CVE-2024-7264", "curl", "7.81.0-1ubuntu1.19", "MEDIUM", 6.5,
         "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:N/A:N", "ASN.1 date parser overread in libcurl"),
        ("CVE-2022-37434", "zlib1g", None, "LOW", 3.1,
         "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:N/I:N/A:L", "Heap-based buffer over-read in inflateGetHeader"),
    ),
    "windows": (
        ("CVE-2024-43498", "Microsoft Visual C++ 2019 X64 Minimum Runtime", None, "CRITICAL", 9.8,
         "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", ".NET and Visual Studio remote code execution"),
        ("CVE-2024-5535", "OpenSSL", "3.0.16", "MEDIUM", 5.9,
         "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N", "SSL_select_next_proto buffer overread"),
        ("CVE-2024-49071", "Microsoft Edge", "131.0.2903.86", "HIGH", 7.5,
         "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", "Windows Defender information disclosure"),
        ("CVE-2024-43483", "PowerShell 7-x64", "7.4.7.0", "HIGH", 7.5,
         "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", ".NET denial of service vulnerability"),
    ),
    "macos": (
        ("CVE-2024-7264", "curl", "8.9.1", "MEDIUM", 6.5,
         "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:N/A:N", "ASN.1 date parser overread in libcurl"),
        ("CVE-2024-5535", "openssl", "3.3.3", "MEDIUM", 5.9,
         "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N", "SSL_select_next_proto buffer overread"),
    ),
}
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
    _, base = PACKAGES[os_family(image)]
    found = dict(base)
    for name in _component_names(image):
        if name in COMPONENT_PACKAGES:
            package, version = COMPONENT_PACKAGES[name]
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
    table = VULNERABILITIES["linux-deb" if family == "ubuntu" else "linux-rpm" if family.startswith("amazon")
                           else family]
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
