"""Turn measure.py's JSON lines into the Markdown tables of benchmarks/README.md.

python benchmarks/report.py results.jsonl
"""

from __future__ import annotations

import json
import re
import sys
from collections import defaultdict


def _cell(value: tuple[float, float | None] | None) -> str:
    if value is None:
        return "-"
    median, best = value
    return f"{median:.1f}" if best is None else f"{median:.1f} ({best:.1f})"


def main(path: str) -> None:
    pages: dict[str, dict[tuple[str, int], tuple[float, float | None]]] = defaultdict(dict)
    sizes: list[tuple[str, int]] = []
    other = []
    with open(path) as handle:
        for line in handle:
            record = json.loads(line)
            if "case" not in record:
                other.append(record)
                continue
            key = (record["backend"], record["customers"])
            if key not in sizes:
                sizes.append(key)
            case = re.sub(r"page \d+", "page N", record["case"])
            pages[case][key] = (record["median_ms"], record.get("min_ms"))
    header = " | ".join(f"{b} {n:,}" for b, n in sizes)
    print(f"| request: median ms (min) | {header} |")
    print("|---" * (len(sizes) + 1) + "|")
    for case, values in pages.items():
        cells = " | ".join(_cell(values.get(k)) for k in sizes)
        print(f"| {case} | {cells} |")
    for record in other:
        print()
        print("    " + json.dumps(record))


if __name__ == "__main__":
    main(sys.argv[1])
