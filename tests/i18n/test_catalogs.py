"""The committed catalogs: complete, placeholders intact, compilable, SMS text included."""

from __future__ import annotations

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from portal.i18n.catalog import TRANSLATIONS, untranslated

LANGUAGES = ("bn", "id")


def _read(language: str):
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_has_no_untranslated_or_fuzzy_entry(language):
    """Every entry of the committed .po file has a translation."""
    assert untranslated(language) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_placeholders_match_english(language):
    """Babel's checkers find no broken %(name)s placeholder in any translation."""
    catalog = _read(language)
    problems = [(m.id, [str(e) for e in errors]) for m, errors in catalog.check()]
    assert problems == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_compiles_and_has_sms_text(language, tmp_path):
    """The catalog compiles to .mo and translates the code SMS."""
    catalog = _read(language)
    with (tmp_path / "messages.mo").open("wb") as handle:
        write_mo(handle, catalog)
    sms = catalog.get(
        "%(merchant)s: your code is %(code)s. It expires in %(minutes)s minutes. Do not share it."
    )
    assert sms is not None and sms.string and "%(code)s" in sms.string
