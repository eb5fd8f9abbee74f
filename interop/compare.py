#!/usr/bin/env python3
"""Compares a scimcheck JSON report with a server's committed verdict file.

Usage: compare.py REPORT.json VERDICTS.tsv NAME

Every failed or warning check of the report must match a line of the verdict file (same
check id, or a glob over ids with generated parts, and the same status), and every line must
still match something. Either kind of difference is printed and makes the exit status 1, so
the verdict file always says what scimcheck reports against that server today.

A verdict file has one line per check: ID <TAB> STATUS <TAB> REASON. STATUS is `failed` or
`warning` for a true verdict, `false-call:failed` or `false-call:warning` for one that
scimcheck should not report (REASON then quotes what the RFC allows). Blank lines and lines
starting with # are ignored.
"""

import fnmatch
import json
import sys
from collections import Counter

STATUSES = {"failed", "warning", "false-call:failed", "false-call:warning"}


def load_verdicts(path):
    verdicts = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) != 3 or fields[1] not in STATUSES or not fields[2].strip():
                sys.exit(f"{path}:{number}: expected ID<TAB>STATUS<TAB>REASON with STATUS one of "
                         f"{', '.join(sorted(STATUSES))}: {line!r}")
            verdicts.append({"id": fields[0], "status": fields[1], "line": number, "seen": 0})
    return verdicts


def reported_status(verdict):
    return verdict["status"].removeprefix("false-call:")


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    report_path, verdicts_path, name = sys.argv[1:]
    with open(report_path, encoding="utf-8") as f:
        report = json.load(f)
    verdicts = load_verdicts(verdicts_path)

    unexpected = []
    counts = Counter()
    for check in report["checks"]:
        status = check["status"]
        if status not in ("failed", "warning"):
            continue
        counts[status] += 1
        match = next((v for v in verdicts
                      if fnmatch.fnmatchcase(check["id"], v["id"]) and reported_status(v) == status),
                     None)
        if match is None:
            unexpected.append(check)
        else:
            match["seen"] += 1
            if match["status"].startswith("false-call:"):
                counts["false-call"] += 1

    for check in unexpected:
        print(f"  not in {verdicts_path}: {check['id']}\t{check['status']}"
              f"  ({check['scenario']} / {check['step']}: {check['message']})")
    gone = [v for v in verdicts if v["seen"] == 0]
    for v in gone:
        print(f"  no longer reported: {v['id']}\t{v['status']}  ({verdicts_path}:{v['line']})")

    summary = report["summary"]
    print(f"{name}: {summary['passed']} passed, {summary['failed']} failed, "
          f"{summary['warnings']} warnings, {summary['skipped']} skipped; "
          f"{len(verdicts)} verdicts ({sum(1 for v in verdicts if v['status'].startswith('false-call'))} "
          f"false calls), {len(unexpected)} unexpected, {len(gone)} no longer reported")
    return 1 if unexpected or gone else 0


if __name__ == "__main__":
    sys.exit(main())
