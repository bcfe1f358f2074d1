"""Catalog upkeep without make: extract, update, compile and report untranslated entries.

    python -m portal.i18n.catalog extract   # portal/ and templates/ -> messages.pot
    python -m portal.i18n.catalog update    # merge the .pot into bn/ and id/ .po files
    python -m portal.i18n.catalog compile   # .po -> .mo (git-ignored; make does this too)
    python -m portal.i18n.catalog check     # list untranslated or fuzzy entries, exit 1 if any

The same as the pybabel commands:
    pybabel extract -F babel.cfg -k _l -k lazy_gettext -k gettext_noop -k N_ \
        --ignore-dirs '.* __pycache__' -o POT .
    pybabel update -i POT -d portal/i18n/translations --no-fuzzy-matching
    pybabel compile -d portal/i18n/translations
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "portal" / "i18n" / "translations"
POT = TRANSLATIONS / "messages.pot"
LANGUAGES = ("bn", "id")
KEYWORDS = ("_l", "lazy_gettext", "gettext_noop", "N_")


def _pybabel(*args: str) -> None:
    """Run a pybabel command in this process, from the repository root."""
    previous = Path.cwd()
    os.chdir(ROOT)
    try:
        CommandLineInterface().run(["pybabel", *args])
    finally:
        os.chdir(previous)


def extract() -> None:
    keywords = [arg for kw in KEYWORDS for arg in ("-k", kw)]
    _pybabel(
        "extract",
        "-F",
        "babel.cfg",
        *keywords,
        "--no-location",
        "--sort-output",
        # Babel skips folders starting with "_" by default; templates/_macros holds strings.
        "--ignore-dirs",
        ".* __pycache__",
        "--project",
        "customer-portal",
        "-o",
        str(POT),
        ".",
    )


def update() -> None:
    for language in LANGUAGES:
        po = TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"
        command = "update" if po.exists() else "init"
        args = ["-i", str(POT), "-d", str(TRANSLATIONS), "-l", language]
        if command == "update":
            args += ["--no-fuzzy-matching", "--ignore-obsolete"]
        _pybabel(command, *args)


def compile_catalogs() -> None:
    _pybabel("compile", "-d", str(TRANSLATIONS))


def untranslated(language: str) -> list[str]:
    """The msgids of `language`'s catalog with no translation or marked fuzzy."""
    path = TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle)
    missing = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


def check() -> int:
    status = 0
    for language in LANGUAGES:
        missing = untranslated(language)
        print(f"{language}: {len(missing)} untranslated")
        for msgid in missing:
            print(f"  {msgid!r}")
        status = status or bool(missing)
    return status


def main(argv: list[str]) -> int:
    actions = {"extract": extract, "update": update, "compile": compile_catalogs}
    if len(argv) != 1 or argv[0] not in (*actions, "check"):
        print(__doc__)
        return 2
    if argv[0] == "check":
        return check()
    actions[argv[0]]()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
