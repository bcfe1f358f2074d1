"""`python -m tests.faults.bootstrap`: migrate the fault stack's database and create its
merchant, owner and API token with the project's own commands, in one process.

Why one process: each `flask` run imports the app anew, which takes seconds apiece on a
slow machine; the commands run here exactly as `flask --app app ...` would run them, in
the environment the caller gives (production settings). Prints the token, alone, last.
"""

from __future__ import annotations

import sys

from tests.faults.stack import OWNER, PASSWORD, SLUG

COMMANDS = (
    ["db", "upgrade"],
    ["create-merchant", "--slug", SLUG, "--name", "Fault Shop", "--email", OWNER,
     "--password", PASSWORD],
    ["tokens", "create", "--merchant", SLUG, "--permission", "SYSTEM", "--name", "faults"],
)  # fmt: skip


def main() -> int:
    from app import app

    runner = app.test_cli_runner()
    output = ""
    for args in COMMANDS:
        result = runner.invoke(args=args)
        output = result.output
        if result.exit_code != 0:
            print(f"flask {' '.join(args)} failed:\n{output}{result.exception!r}", file=sys.stderr)
            return 1
    print(output.strip().splitlines()[-1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
