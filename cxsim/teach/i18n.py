"""The teaching material's languages: English and Chinese, from gettext message catalogues.

The words of the teachers' page, the class round's student pages, the experiments' printed
tables and the teaching figures are English in the code (the message ids) and translated by the
catalogue ``locale/<lang>/LC_MESSAGES/cxsim_teach.po`` beside this module. The catalogue is
compiled with Babel when first used (in memory; nothing is written), so a translator edits only
the ``.po`` file.

The language is chosen by ``--lang`` (``cxsim teach``, the experiment scripts), else by the
environment variable ``CXSIM_TEACH_LANG``, else by the system locale (``zh*`` gives Chinese,
anything else English).
"""

from __future__ import annotations

import gettext
import io
import locale
import os
import re
import string
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from cxsim.errors import MISSING, SpecError
from cxsim.specs import checks

#: The languages the teaching material speaks.
LANGUAGES: dict[str, str] = {"en": "English", "zh": "中文"}
#: The gettext domain (the catalogue's file name).
DOMAIN = "cxsim_teach"
#: Where the catalogues live (package data).
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
#: The environment variable that sets the default language.
ENV_VAR = "CXSIM_TEACH_LANG"


def check_language(lang: object) -> str:
    """``lang`` if it is one of :data:`LANGUAGES`, else :class:`~cxsim.errors.SpecError` naming ``lang``."""
    return checks.choice("lang", lang, LANGUAGES)


def language_of_locale(name: str | None) -> str:
    """The teaching language for a locale name such as ``zh_CN.UTF-8`` (Chinese for ``zh*``, else English)."""
    return "zh" if (name or "").lower().startswith("zh") else "en"


def default_language() -> str:
    """``$CXSIM_TEACH_LANG`` if set (and valid), else the language of the system locale."""
    wanted = os.environ.get(ENV_VAR, "").strip()
    if wanted:
        return checks.choice(ENV_VAR, wanted, LANGUAGES)
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if os.environ.get(var):
            return language_of_locale(os.environ[var])
    return language_of_locale(locale.getlocale()[0])


def catalogue_path(lang: str) -> Path:
    """The ``.po`` catalogue of ``lang``."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def _read_catalogue(lang: str) -> Any:
    try:
        # Babel reads the catalogue: needed only for a language other than English (the [teach] extra)
        from babel.messages.pofile import read_po
    except ImportError:
        raise SpecError("lang", lang,
                        "English without Babel; for other languages: pip install 'cxsim[teach]'") from None
    with catalogue_path(lang).open("rb") as f:
        return read_po(f, locale=lang, domain=DOMAIN)


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalogue of ``lang`` (English: the message ids themselves)."""
    lang = check_language(lang)
    if lang == "en":
        return gettext.NullTranslations()
    catalog = _read_catalogue(lang)
    from babel.messages.mofile import write_mo  # Babel: present, _read_catalogue has just used it

    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


def translator(lang: str) -> Callable[[str], str]:
    """The ``_`` function of ``lang``: a message id in, its translation out (the id when untranslated)."""
    return translations(lang).gettext


def N_(message: str) -> str:
    """``message`` unchanged: marks it for the catalogue, translated where it is shown."""
    return message


def _template_pattern(template: str) -> re.Pattern[str] | None:
    """A regular expression matching ``template`` filled in (its fields captured), None without fields."""
    parts = list(string.Formatter().parse(template))
    if not any(field for _lit, field, _spec, _conv in parts):
        return None
    regex = ""
    for literal, field, spec, conv in parts:
        regex += re.escape(literal)
        if field is not None:
            if spec or conv or not field.isidentifier():
                return None  # a formatted number (e.g. {n:,}) is not read back
            regex += f"(?P<{field}>.+?)"
    return re.compile(regex + r"\Z", re.DOTALL)


@cache
def _templates(lang: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """The catalogue's messages with fields, most specific (longest literal text) first."""
    if check_language(lang) == "en":
        return ()
    found: list[tuple[str, re.Pattern[str]]] = []
    for m in _read_catalogue(lang):
        rx = _template_pattern(m.id) if isinstance(m.id, str) and m.id else None
        if rx is not None:
            found.append((m.id, rx))
    return tuple(sorted(found, key=lambda tr: -len(re.sub(r"\{[^}]*\}", "", tr[0]))))


def translate_text(text: str, lang: str) -> str:
    """``text`` in ``lang``: its catalogue entry, else a message with fields read back and its parts translated.

    A table's labels are English messages filled in (``N_("mean rating: {item}").format(item=tp)``);
    the label is matched against the catalogue's messages with fields, and each field's value is
    translated in turn (an item name, or left as it is, e.g. a number). A comma-separated list of
    catalogue entries is translated item by item. Text that matches nothing is returned unchanged.
    """
    _ = translator(lang)
    if not text or _(text) != text or lang == "en":
        return _(text) if text else text
    for template, regex in _templates(lang):
        match = regex.match(text)
        if match:
            return _(template).format(**{k: translate_text(v, lang) for k, v in match.groupdict().items()})
    parts = text.split(", ")
    if len(parts) > 1 and all(_(part) != part for part in parts):  # a list of names, not e.g. "[0.51, 0.82]"
        return _(", ").join(_(part) for part in parts)
    return text


def error_text(err: Exception, lang: str) -> str:
    """The one-line message of ``err`` for the page in ``lang``.

    A :class:`~cxsim.errors.SpecError` keeps its field, value and allowed values as they are (the
    value as typed, the allowed values in English) and has the words around them in ``lang``;
    a field that is a catalogue entry is translated. Any other error is shown as its text.
    """
    if not isinstance(err, SpecError):
        return str(err)
    _ = translator(lang)
    field = translate_text(err.field, lang) if err.field else err.field
    if err.value is MISSING:
        return _("{field}: missing; {allowed}").format(field=field, allowed=err.allowed)
    text = str(err)  # "{field}: {value} is not allowed; {allowed}", the value shown as SpecError shows it
    value = text[len(err.field) + 2:len(text) - len(err.allowed) - len(" is not allowed; ")]
    return _("{field}: {value} is not allowed; {allowed}").format(field=field, value=value, allowed=err.allowed)


def catalogue_text(lang: str) -> str:
    """Every translated string of ``lang``'s catalogue, joined (the characters its figures need)."""
    if check_language(lang) == "en":
        return ""
    catalog = _read_catalogue(lang)
    return "".join(str(m.string) for m in catalog if m.id and m.string)
