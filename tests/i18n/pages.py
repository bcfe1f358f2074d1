"""Finding the customer-, assistant- and merchant-facing pages and the English text left on them.

Pages are discovered from the URL map (GET routes of the listed blueprints), so a new page
is walked as soon as it exists; add a parameter value to `PARAMS` if it needs one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from flask import Flask

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "portal" / "i18n" / "translations"
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "lazy_gettext": None,
    "_l": None,
    "gettext_noop": None,
    "N_": None,
    "_n": (1, 2),
}

# Blueprints a shopper, a visitor or a retailer assistant sees, and who must be signed in.
AUDIENCES: dict[str, str] = {
    "site": "visitor",
    "customers": "visitor",
    "profile": "customer",
    "links": "visitor",
    "assist": "assistant",
    "staff": "visitor",
    "merchants": "owner",
    "webhooks": "owner",
    "two_factor": "owner",
    "registration": "visitor",
}
SKIP_ENDPOINTS = {"site.healthz", "site.readyz", "staff.logout", "links.region_search"}
PLACEHOLDER = re.compile(r"%\([a-z_0-9]+\)[0-9]*[sd]")
# Codes (country codes CLDR has no local name for, AM/PM, CSV) are not English sentences.
CODE = re.compile(r"^[A-Z]{2,3}$")
HIDDEN_TAGS = {"script", "style", "template"}
TEXT_ATTRIBUTES = ("placeholder", "aria-label", "title", "alt")

# Names of things, not sentences: these stay as they are in every language.
NAMES = {
    "WhatsApp",
    "Viber",
    "imo",
    "LINE",
    "CSV",
    "XLSX",
    "Excel",
    "CVC",
    "SMS",
    "OTP",
    "MM",
    "YY",
    "YYYY",
    "DD",
    "English",
    "Bahasa",
    "Indonesia",
    "PO",
    "ID",
    "BD",
    "US",
    "Visa",
    "Mastercard",
    "Test",
    "Shop",
    "Demo",
    "Store",
    "Outlet",
    "Assistant",
    "Staff",
    "Owner",
    "example",
    "com",
    # Built-in category names kept as loanwords, and the API's technical names.
    "Reseller",
    "Dropshipper",
    "Customer",
    "JSON",
    "OpenAPI",
    "OVERVIEW",
    "SYSTEM",
    "HMAC",
    "POST",
    "Portal",
    "Signature",
    "test",
    # Authenticator apps the two-factor setup page names.
    "Google",
    "Microsoft",
    "Authenticator",
}


@dataclass(frozen=True)
class Leak:
    page: str
    text: str
    reason: str


class VisibleText(HTMLParser):
    """Text nodes and text attributes a person sees (not scripts, not the language names)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._hidden = 0
        self._no_translate = 0
        self._stack: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        hidden = tag in HIDDEN_TAGS
        # The language switcher lists each language in its own name; that is intended.
        no_translate = a.get("translate") == "no" or a.get("lang") not in (None, self.lang)
        if tag not in ("input", "meta", "link", "br", "img", "hr"):
            self._stack.append((tag, hidden or no_translate))
            if hidden or no_translate:
                self._hidden += 1
        if self._hidden:
            return
        for name in TEXT_ATTRIBUTES:
            if a.get(name):
                self.texts.append(str(a[name]))
        if tag == "input" and a.get("type") in ("submit", "button") and a.get("value"):
            self.texts.append(str(a["value"]))

    def handle_endtag(self, tag: str) -> None:
        while self._stack:
            open_tag, hid = self._stack.pop()
            if hid:
                self._hidden -= 1
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if text and not self._hidden:
            self.texts.append(text)

    lang: str | None = None


def visible_texts(html: str, lang: str) -> list[str]:
    parser = VisibleText()
    parser.lang = lang
    parser.feed(html)
    return parser.texts


def keep_directory(path: str) -> bool:
    """Walk every folder but hidden ones and caches (Babel's default skips "_macros")."""
    name = Path(path).name
    return not name.startswith(".") and name != "__pycache__"


def source_msgids() -> set[str]:
    """Every msgid in portal/ and templates/ right now (what extraction would find)."""
    method_map = [("portal/**.py", "python"), ("templates/**.html", "jinja2")]
    found: set[str] = set()
    for _name, _line, message, _comments, _ctx in extract_from_dir(
        str(ROOT), method_map=method_map, keywords=KEYWORDS, directory_filter=keep_directory
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def catalog(language: str) -> dict[str, str]:
    """msgid -> translation ("" when untranslated) of the committed catalog."""
    path = TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        po = read_po(handle)
    result: dict[str, str] = {}
    for message in po:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        value = message.string if isinstance(message.string, str) else message.string[0]
        result[key] = "" if message.fuzzy else (value or "")
    return result


def msgid_pattern(msgid: str) -> re.Pattern[str]:
    """A msgid with its %(name)s placeholders as wildcards, matched against a whole node."""
    parts = PLACEHOLDER.split(msgid)
    return re.compile("^" + ".+?".join(re.escape(p) for p in parts) + "$")


def find_leaks(
    page: str,
    html: str,
    language: str,
    msgids: set[str],
    translations: dict[str, str],
    names: set[str],
) -> list[Leak]:
    """English left on a page in `language`.

    A text node leaks when it is an English msgid whose translation differs (or is
    missing); on a Bengali page, also when it holds Latin words that are not names.
    """
    leaks: list[Leak] = []
    patterns = [
        (m, msgid_pattern(m))
        for m in msgids
        if re.search(r"[A-Za-z]{2,}", PLACEHOLDER.sub("", m)) and translations.get(m, "") != m
    ]
    for text in visible_texts(html, language):
        hit = next((m for m, pattern in patterns if pattern.match(text)), None)
        if hit is not None:
            reason = "not translated" if translations.get(hit) else "missing from the catalog"
            leaks.append(Leak(page, text, reason))
            continue
        if language == "bn":
            words = set(re.findall(r"[A-Za-z][A-Za-z']+", text))
            english = {w for w in words if w not in NAMES and w not in names and not CODE.match(w)}
            if english:
                leaks.append(Leak(page, text, f"Latin words {sorted(english)} (hard-coded?)"))
    return leaks


def page_urls(app: Flask, params: dict[str, object]) -> dict[str, tuple[str, str]]:
    """endpoint -> (audience, url) for every GET page of the listed blueprints we can build."""
    urls: dict[str, tuple[str, str]] = {}
    with app.test_request_context():
        from flask import url_for

        for rule in app.url_map.iter_rules():
            blueprint = rule.endpoint.split(".")[0]
            if blueprint not in AUDIENCES or rule.endpoint in SKIP_ENDPOINTS:
                continue
            if "GET" not in (rule.methods or set()):
                continue
            values = {}
            for arg in rule.arguments:
                key = f"{rule.endpoint}:{arg}"
                value = params.get(key, params.get(arg))
                if value is None:
                    break
                values[arg] = value
            else:
                urls[rule.endpoint] = (AUDIENCES[blueprint], url_for(rule.endpoint, **values))
    return urls
