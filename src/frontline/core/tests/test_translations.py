"""The Simplified Chinese catalogue is complete, consistent with the code's placeholders, and
compiled: the committed .mo says what the .po says (a fresh machine may have no gettext to
recompile it)."""

from __future__ import annotations

import gettext as gettext_module
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import translation

LOCALE_DIR = Path(__file__).resolve().parents[2] / "locale"
ZH_PO = LOCALE_DIR / "zh_Hans" / "LC_MESSAGES" / "django.po"
ZH_MO = LOCALE_DIR / "zh_Hans" / "LC_MESSAGES" / "django.mo"
EN_PO = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.po"

NAMED_PLACEHOLDER = re.compile(r"%\((\w+)\)[sdifr]")
KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")\s*$')
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b"}


@dataclass
class Entry:
    line: int
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: str = ""
    msgstr_plural: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    @property
    def translations(self) -> list[str]:
        if self.msgid_plural is None:
            return [self.msgstr]
        return [self.msgstr_plural[i] for i in sorted(self.msgstr_plural)]

    def __str__(self) -> str:
        return f"line {self.line}: {self.msgid!r}"


def _unquote(quoted: str) -> str:
    body = quoted.strip()[1:-1]
    return re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), "\\" + m.group(1)), body)


def parse_po(path: Path) -> list[Entry]:
    """A small PO reader: enough for what makemessages writes (obsolete `#~` entries skipped)."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int | None] | None = None
    pending_flags: set[str] = set()

    def store(kind: str, index: int | None, text: str, *, append: bool) -> None:
        assert entry is not None
        if kind == "msgstr" and index is not None:
            before = entry.msgstr_plural.get(index, "") if append else ""
            entry.msgstr_plural[index] = before + text
        else:
            before = (getattr(entry, kind) or "") if append else ""
            setattr(entry, kind, before + text)

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            entry, target = None, None
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#,"):
            pending_flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            continue
        if line.startswith("#"):
            continue
        match = KEYWORD.match(line)
        if match:
            keyword, index, quoted = match.groups()
            starts_entry = entry is None or target is None or target[0] == "msgstr"
            if keyword in ("msgctxt", "msgid") and starts_entry:
                entry = Entry(line=number, flags=pending_flags)
                entries.append(entry)
                pending_flags = set()
            assert entry is not None, f"{path}:{number}: {keyword} outside an entry"
            kind = "msgstr" if keyword.startswith("msgstr") else keyword
            target = (kind, int(index) if index is not None else None)
            store(kind, target[1], _unquote(quoted), append=False)
        elif line.startswith('"'):
            assert entry is not None and target is not None, f"{path}:{number}: stray string"
            store(target[0], target[1], _unquote(line), append=True)
        else:
            raise AssertionError(f"{path}:{number}: cannot read {raw!r}")
    return entries


def _header(entries: list[Entry]) -> dict[str, str]:
    headers = [entry for entry in entries if entry.is_header]
    assert len(headers) == 1, "the catalogue needs exactly one header entry"
    pairs = (line.split(":", 1) for line in headers[0].msgstr.splitlines() if ":" in line)
    return {key.strip(): value.strip() for key, value in pairs}


@pytest.fixture(scope="module")
def zh_entries() -> list[Entry]:
    assert ZH_PO.exists(), f"missing {ZH_PO}: run `frontline makemessages -l zh_Hans`"
    return parse_po(ZH_PO)


@pytest.fixture(scope="module")
def zh_messages(zh_entries: list[Entry]) -> list[Entry]:
    messages = [entry for entry in zh_entries if not entry.is_header]
    assert messages, "the zh_Hans catalogue has no messages"
    return messages


def test_header_is_valid_and_not_fuzzy(zh_entries):
    header_entry = next(entry for entry in zh_entries if entry.is_header)
    assert "fuzzy" not in header_entry.flags
    header = _header(zh_entries)
    assert header["Language"] == "zh_Hans"
    assert "charset=UTF-8" in header["Content-Type"]
    assert header["Plural-Forms"].replace(" ", "") == "nplurals=1;plural=0;"


def test_every_message_is_translated_and_none_is_fuzzy(zh_messages):
    fuzzy = [str(entry) for entry in zh_messages if "fuzzy" in entry.flags]
    empty = [
        str(entry)
        for entry in zh_messages
        if not entry.translations or any(not text.strip() for text in entry.translations)
    ]
    report = ["fuzzy: " + item for item in fuzzy] + ["untranslated: " + item for item in empty]
    assert not report, "incomplete catalogue:\n" + "\n".join(report)


def test_plural_entries_have_exactly_one_form(zh_messages):
    wrong = [
        str(entry)
        for entry in zh_messages
        if entry.msgid_plural is not None and sorted(entry.msgstr_plural) != [0]
    ]
    assert not wrong, "zh_Hans has one plural form; msgstr[0] only:\n" + "\n".join(wrong)


def test_placeholders_are_kept(zh_messages):
    problems = []
    for entry in zh_messages:
        wanted = set(NAMED_PLACEHOLDER.findall(entry.msgid))
        wanted |= set(NAMED_PLACEHOLDER.findall(entry.msgid_plural or ""))
        for text in entry.translations:
            found = set(NAMED_PLACEHOLDER.findall(text))
            if found != wanted:
                problems.append(f"{entry}: wants {sorted(wanted)}, has {sorted(found)}")
    assert not problems, "placeholder mismatches:\n" + "\n".join(problems)


def test_compiled_catalogue_matches_the_po(zh_messages):
    assert ZH_MO.exists(), f"missing {ZH_MO}: run `frontline compilemessages`"
    with ZH_MO.open("rb") as handle:
        compiled = gettext_module.GNUTranslations(handle)
    stale = []
    for entry in zh_messages:
        if entry.msgid_plural is None:
            got = (
                compiled.pgettext(entry.msgctxt, entry.msgid)
                if entry.msgctxt is not None
                else compiled.gettext(entry.msgid)
            )
            if got != entry.msgstr:
                stale.append(f"{entry}: .mo has {got!r}, .po has {entry.msgstr!r}")
            continue
        for n in (1, 2, 5):
            got = (
                compiled.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
                if entry.msgctxt is not None
                else compiled.ngettext(entry.msgid, entry.msgid_plural, n)
            )
            if got != entry.msgstr_plural.get(0):
                stale.append(f"{entry} (n={n}): .mo has {got!r}")
    assert not stale, "the .mo is older than the .po; run compilemessages:\n" + "\n".join(stale)


def test_english_catalogue_header_is_valid():
    assert EN_PO.exists(), f"missing {EN_PO}"
    entries = parse_po(EN_PO)
    header_entry = next(entry for entry in entries if entry.is_header)
    assert "fuzzy" not in header_entry.flags
    header = _header(entries)
    assert header["Language"] == "en"
    assert "charset=UTF-8" in header["Content-Type"]
    assert header["Plural-Forms"].replace(" ", "") == "nplurals=2;plural=(n!=1);"


def test_django_serves_the_chinese_strings():
    # An alias, so that makemessages does not list this test as a source of the msgid.
    lookup = translation.gettext
    with translation.override("zh-hans"):
        assert lookup("Residents") == "居民"
        page = Template(
            "{% load i18n %}{% translate 'My tasks' %}|"
            "{% blocktranslate count n=3 %}{{ n }} resident{% plural %}{{ n }} residents"
            "{% endblocktranslate %}"
        ).render(Context())
    assert page.split("|")[0] == "我的待办"
    assert "3" in page.split("|")[1]
    assert page.split("|")[1] != "3 residents"
    with translation.override("en"):
        assert lookup("Residents") == "Residents"
