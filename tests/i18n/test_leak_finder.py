"""The English-leak finder itself: it must catch what the page walk relies on it to catch."""

from __future__ import annotations

from tests.i18n.pages import find_leaks, visible_texts

MSGIDS = {"Save profile", "Hello %(name)s", "WhatsApp"}
BN = {
    "Save profile": "প্রোফাইল সংরক্ষণ করুন",
    "Hello %(name)s": "হ্যালো %(name)s",
    "WhatsApp": "WhatsApp",
}


def _page(body: str, lang: str = "bn") -> str:
    return f'<html lang="{lang}"><body>{body}<script>var English = "x";</script></body></html>'


def test_finder_flags_english_msgid_left_untranslated():
    """A catalog string shown in English on a Bengali page is a leak."""
    leaks = find_leaks("p", _page("<button>Save profile</button>"), "bn", MSGIDS, BN, set())
    assert [(leak.text, leak.reason) for leak in leaks] == [("Save profile", "not translated")]


def test_finder_flags_msgid_with_placeholder():
    """'Hello Rina' matches 'Hello %(name)s' and is reported."""
    leaks = find_leaks("p", _page("<p>Hello Rina</p>", "id"), "id", MSGIDS, BN, set())
    assert [leak.text for leak in leaks] == ["Hello Rina"]


def test_finder_flags_hard_coded_latin_on_bengali_page():
    """A sentence that never went through gettext is caught on a Bengali page."""
    leaks = find_leaks("p", _page("<p>Please wait</p>"), "bn", MSGIDS, BN, set())
    assert leaks and "Latin words" in leaks[0].reason


def test_finder_ignores_names_codes_scripts_and_other_languages():
    """Names, brand words, codes, scripts and text marked in another language pass."""
    html = _page(
        "<p>প্রোফাইল সংরক্ষণ করুন</p><p>Rina Akter</p><p>WhatsApp</p><p>CSV</p>"
        '<option lang="en">English</option>'
    )
    assert find_leaks("p", html, "bn", MSGIDS, BN, {"Rina", "Akter"}) == []


def test_visible_texts_reads_labels_in_attributes():
    """aria-label and placeholder count as visible text."""
    texts = visible_texts(
        _page('<input placeholder="Type here"><nav aria-label="Main">x</nav>'), "bn"
    )
    assert "Type here" in texts and "Main" in texts
