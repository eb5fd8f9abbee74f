#!/usr/bin/env python3
"""Checks the second of two runs against an unchanged server for snapshot drift.

Usage: drift.py REPORT.json TOLERATED.tsv NAME

Every scenario must match the snapshot the first run recorded, except those TOLERATED.tsv
lists (SCENARIO <TAB> REASON: why they may drift although the server did not change). A drift
not listed prints its diff and makes the exit status 1. A listed scenario may match by chance
(its order is random), so matching is only counted, not an error.
"""

import json
import sys


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    report_path, tolerated_path, name = sys.argv[1:]
    with open(report_path, encoding="utf-8") as f:
        report = json.load(f)
    tolerated = {}
    with open(tolerated_path, encoding="utf-8") as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                scenario, _, reason = line.rstrip("\n").partition("\t")
                tolerated[scenario] = reason

    scenarios = report["scenarios"]
    drifted = {s["id"]: s["snapshot"] for s in scenarios
               if (s.get("snapshot") or {}).get("status") == "drifted"}
    unexpected = sorted(set(drifted) - set(tolerated))
    unknown = sorted(set(tolerated) - {s["id"] for s in scenarios})
    for scenario in unexpected:
        print(f"  drifted, not in {tolerated_path}: {scenario}")
        for line in (drifted[scenario].get("diff") or "").splitlines():
            print("    " + line)
    for scenario in unknown:
        print(f"  not a scenario of this run: {scenario} ({tolerated_path})")
    print(f"{name}: second run with --snapshots: {len(scenarios) - len(drifted)} of "
          f"{len(scenarios)} scenarios matched, {len(drifted)} drifted "
          f"({len(drifted) - len(unexpected)} listed in {tolerated_path})")
    return 1 if unexpected or unknown else 0


if __name__ == "__main__":
    sys.exit(main())
