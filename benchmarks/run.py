"""imagebuilder-mock performance benchmarks: ratios against botocore's floor and against moto.

    python benchmarks/run.py            # the full run (~2-3 minutes), table + one JSON line
    python benchmarks/run.py --smoke    # a few iterations: proves the script still works; prints one line
    python benchmarks/run.py --strict   # full run; exit 1 when a target is missed

What each number means, and the latest results: docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, _HERE)
sys.path.append(os.path.dirname(_HERE))  # the source tree, when the package is not installed

import _harness  # noqa: E402,F401 - first: it sets the environment boto3 reads
import _cold  # noqa: E402
import _percall  # noqa: E402
import _scale  # noqa: E402

FULL = dict(rounds=25, iterations=20, small_rounds=150, ee_rounds=10, ee_ours=100, ee_moto=5,
            sizes=(100, 1000, 10000), list_rounds=15, list_per_round=15, memory=1000, cold=5)
SMOKE = dict(rounds=2, iterations=2, small_rounds=4, ee_rounds=2, ee_ours=5, ee_moto=1,
             sizes=(100, 300), list_rounds=2, list_per_round=2, memory=20, cold=1)

TARGETS = {  # key: (limit, what it means)
    "per_call_vs_floor": (1.15, "per call, ours / botocore floor"),
    "per_call_vs_moto": (0.5, "(ours/floor) / (moto/moto floor)"),
    "enter_exit_vs_mock_aws": (1 / 20, "enter+exit, ours / mock_aws"),
    "list_10000_vs_100": (1.2, "first page, largest store / 100"),
    "memory_images_vs_moto": (1.0, "bytes per image+recipe / moto AMI"),
    "memory_components_vs_moto": (1.0, "bytes per component / moto SSM doc"),
    "import_ms": (150.0, "import imagebuilder_mock, fresh process"),
    "first_call_ms": (100.0, "mock start + first call, fresh process"),
}


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def run(cfg: dict, smoke: bool) -> dict:
    started = time.perf_counter()
    calls = _percall.per_call(cfg["rounds"], cfg["iterations"])
    med = calls["median_s"]
    small = _percall.small_test(cfg["small_rounds"])
    ee = _percall.enter_exit(cfg["ee_rounds"], cfg["ee_ours"], cfg["ee_moto"])
    listing = _scale.list_latency(cfg["sizes"], cfg["list_rounds"], cfg["list_per_round"], calls["real_mix"])
    memory = _scale.memory(cfg["memory"], calls["real_mix"])
    imports = _cold.import_time(cfg["cold"])
    first_op, first_params = (("create_component", {"name": "cold", "semanticVersion": "1.0.0", "platform": "Linux",
                                                    "data": "name: cold\nschemaVersion: 1.0\nphases:\n  - name: build\n"
                                                            "    steps:\n      - name: A\n        action: ExecuteBash\n"
                                                            "        inputs:\n          commands: [echo]\n"})
                              if calls["real_mix"] else
                              ("create_infrastructure_configuration", {"name": "cold", "instanceProfileName": "r"}))
    cold = _cold.first_call(cfg["cold"], first_op, first_params)

    sizes = cfg["sizes"]
    per_image = memory["ours_images"] / memory["count"]
    result = {
        "smoke": smoke,
        "mix": calls["mix"],
        "real_mix": calls["real_mix"],
        "per_call_vs_floor": round(med["ours"] / med["floor"], 3),
        "per_call_vs_moto": round((med["ours"] / med["floor"]) / (med["moto"] / med["moto_floor"]), 3),
        "overhead_vs_moto_overhead": round((med["ours"] - med["floor"]) / (med["moto"] - med["moto_floor"]), 3),
        "stubber_vs_floor": round(med["stubber"] / med["floor"], 3),
        "moto_vs_its_floor": round(med["moto"] / med["moto_floor"], 3),
        "per_call_ms": {name: _ms(value) for name, value in med.items()},
        "per_op_vs_floor": {op: round(v["ours"] / v["floor"], 3) for op, v in calls["ops"].items()},
        "per_op_ms": {op: {k: _ms(x) for k, x in v.items()} for op, v in calls["ops"].items()},
        "small_test_vs_floor": round(small["ours"] / small["floor"], 3),
        "small_test_ms": {k: _ms(v) for k, v in small.items()},
        "enter_exit_vs_mock_aws": round(ee["ours"] / ee["mock_aws"], 4),
        "enter_exit_ms": {k: _ms(v) for k, v in ee.items()},
        "list_family": listing["family"],
        "list_sizes": list(sizes),
        "list_10000_vs_100": round(listing["median_s"][sizes[-1]] / listing["median_s"][sizes[0]], 3),
        "list_first_page_ms": {str(k): _ms(v) for k, v in listing["median_s"].items()},
        "list_populate_s": {str(k): round(v, 2) for k, v in listing["populate_s"].items()},
        "memory_images_vs_moto": round(per_image / (memory["moto_images"] / memory["count"]), 3),
        "memory_components_vs_moto": round(memory["ours_components"] / memory["moto_components"], 3),
        "memory_kib_per_1000": {k: round(v / memory["count"] * 1000 / 1024, 1) for k, v in memory.items()
                                if k != "count"},
        "import_ms": _ms(imports["alone"]),
        "import_after_boto3_ms": _ms(imports["after_boto3"]),
        "import_boto3_ms": _ms(imports["boto3"]),
        "first_call_ms": _ms(cold["ours"]["start"] + cold["ours"]["call"]),
        "first_call_parts_ms": {"mock_start": _ms(cold["ours"]["start"]), "call": _ms(cold["ours"]["call"]),
                                "floor_call": _ms(cold["floor"]["call"])},
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
    }
    result["targets_met"] = {key: result[key] <= limit for key, (limit, _) in TARGETS.items()}
    result["elapsed_s"] = round(time.perf_counter() - started, 1)
    if calls["fallback_reason"]:
        result["fallback_reason"] = calls["fallback_reason"][:300]
    return result


def print_table(result: dict) -> None:
    print(f"imagebuilder-mock benchmarks (full; "
          f"mix: {result['mix']}; Python {result['python']}, {result['cpus']} CPUs, {result['elapsed_s']} s)")
    if not result["real_mix"]:
        print(f"  WARNING: the real mix is not available yet, measured a stand-in: {result.get('fallback_reason')}")
    per_call = result["per_call_ms"]
    print("\nper call (median ms):  " + "  ".join(f"{k} {v:.3f}" for k, v in per_call.items()))
    print(f"{'operation':<36}{'floor ms':>10}{'ours ms':>10}{'stubber ms':>12}{'ours/floor':>12}")
    for op, times in result["per_op_ms"].items():
        print(f"{op:<36}{times['floor']:>10.3f}{times['ours']:>10.3f}{times['stubber']:>12.3f}"
              f"{result['per_op_vs_floor'][op]:>12.3f}")
    print(f"\nstubber/floor {result['stubber_vs_floor']}, moto/its floor {result['moto_vs_its_floor']}, "
          f"ours overhead / moto overhead {result['overhead_vs_moto_overhead']}")
    print(f"small test (fresh mock + 2 calls) ms: {result['small_test_ms']}  -> x{result['small_test_vs_floor']}")
    print(f"enter+exit ms: {result['enter_exit_ms']}")
    print(f"first page of {result['list_family']} ms by stored count: {result['list_first_page_ms']} "
          f"(populated in s: {result['list_populate_s']})")
    print(f"memory KiB per 1,000: {result['memory_kib_per_1000']}")
    print(f"import ms: alone {result['import_ms']}, boto3 {result['import_boto3_ms']}, "
          f"ours after boto3 {result['import_after_boto3_ms']}")
    print(f"first call ms: {result['first_call_parts_ms']}")
    print(f"\n{'target':<28}{'value':>10}{'limit':>10}  {'met':<5} meaning")
    for key, (limit, meaning) in TARGETS.items():
        met = result["targets_met"][key]
        print(f"{key:<28}{result[key]:>10.3f}{limit:>10.3f}  {('yes' if met else 'NO'):<5} {meaning}")
    print()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="a few iterations, no thresholds")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed (full run)")
    args = parser.parse_args(argv)
    result = run(SMOKE if args.smoke else FULL, args.smoke)
    if args.smoke:  # a few iterations: the ratios mean nothing, so none is shown or checked
        print(f"benchmarks smoke run: every benchmark ran ({result['elapsed_s']} s, mix: {result['mix']}); "
              "nothing measured or checked (the full run: python benchmarks/run.py)")
        return 0
    print_table(result)
    print(json.dumps(result, sort_keys=True))
    if args.strict and not args.smoke and not all(result["targets_met"].values()):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
