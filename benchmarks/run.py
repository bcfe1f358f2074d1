"""`make bench`: load customers into the given empty database, then measure everything.

    DATABASE_URL=... python benchmarks/run.py [--customers 100000] [--skip-wrk]

Without DATABASE_URL a fresh SQLite file in a temporary directory is used. For several
sizes run it once per size (each needs an empty database); see benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--customers", type=int, default=int(os.environ.get("BENCH_CUSTOMERS", "10000"))
    )
    parser.add_argument("--skip-wrk", action="store_true")
    parser.add_argument("--skip-export", action="store_true")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite"
    steps = [
        [str(HERE / "generate.py"), "--customers", str(args.customers)],
        [str(HERE / "measure.py"), "pages"],
    ]
    if not args.skip_export:
        steps.append([str(HERE / "measure.py"), "export"])
    if not args.skip_wrk and not url.startswith("sqlite"):
        steps.append([str(HERE / "measure.py"), "wrk"])
    for step in steps:
        done = subprocess.run([sys.executable, *step, "--database-url", url], check=False)
        if done.returncode:
            return done.returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())
