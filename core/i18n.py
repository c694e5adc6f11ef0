"""Names in two languages: the one rule for showing data in the reader's language.

A model with a text in English and Arabic keeps them in two columns, `<field>` (English, always
filled) and `<field>_ar` (Arabic, optional). `localized(obj, "name")` gives the Arabic one when
the active language is Arabic and it is filled, else the English one; models expose it as
`display_name` (and use it for `__str__`), so templates, reports and emails show
`{{ party.display_name }}` or `{{ party }}` in the reader's language.
"""

import re
import unicodedata

from django.utils import translation
from django.utils.translation import gettext_noop, pgettext_lazy

SECOND_LANGUAGE = "ar"


def is_arabic(language: str | None = None) -> bool:
    """Whether `language` (by default the active one) is Arabic (ar, ar-sy...)."""
    language = language or translation.get_language() or ""
    return language.split("-")[0] == SECOND_LANGUAGE


def localized(obj, field: str, language: str | None = None) -> str:
    """`obj.<field>_ar` when reading in Arabic and it is filled, else `obj.<field>` (English)."""
    if is_arabic(language):
        value = getattr(obj, f"{field}_{SECOND_LANGUAGE}", "")
        if value:
            return value
    return getattr(obj, field)


# Harakat, tatweel and Quranic marks: written or not, the word is the same.
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ARABIC_LETTERS = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي"}
)


def fold_arabic(text: str) -> str:
    """An Arabic name reduced to compare spellings: marks and tatweel dropped, the alef, ya and
    ta marbuta variants made one, the article al- dropped from each word, spaces squeezed."""
    text = _ARABIC_MARKS.sub("", unicodedata.normalize("NFKC", text or "")).translate(_ARABIC_LETTERS)
    words = [word[2:] if word.startswith("ال") and len(word) > 3 else word for word in text.split()]
    return " ".join(words)


ARABIC_REGEX = "[\u0600-\u06ff]"  # for a database `__regex` lookup: holds an Arabic letter


def has_arabic(text: str) -> bool:
    return any("\u0600" <= char <= "\u06ff" for char in text or "")


def name_key(name: str) -> str:
    """The key two spellings of one name share: lower case, and for an Arabic name fold_arabic's
    form. Party matching (agreements.Party.match, the importers' lookup) compares these."""
    name = " ".join((name or "").split())
    return fold_arabic(name).lower() if has_arabic(name) else name.lower()


# The month names Syrians write (كانون الثاني، شباط، آذار، نيسان...), not the Egyptian ones of Django's
# own Arabic (يناير، فبراير...): Django formats dates with these msgids, and the core catalog, merged
# over Django's, translates them. Listed here only so that makemessages finds them.
MONTH_NAMES = (
    gettext_noop("January"),
    gettext_noop("February"),
    gettext_noop("March"),
    gettext_noop("April"),
    gettext_noop("May"),
    gettext_noop("June"),
    gettext_noop("July"),
    gettext_noop("August"),
    gettext_noop("September"),
    gettext_noop("October"),
    gettext_noop("November"),
    gettext_noop("December"),
    gettext_noop("jan"),
    gettext_noop("feb"),
    gettext_noop("mar"),
    gettext_noop("apr"),
    gettext_noop("may"),
    gettext_noop("jun"),
    gettext_noop("jul"),
    gettext_noop("aug"),
    gettext_noop("sep"),
    gettext_noop("oct"),
    gettext_noop("nov"),
    gettext_noop("dec"),
    pgettext_lazy("alt. month", "January"),
    pgettext_lazy("alt. month", "February"),
    pgettext_lazy("alt. month", "March"),
    pgettext_lazy("alt. month", "April"),
    pgettext_lazy("alt. month", "May"),
    pgettext_lazy("alt. month", "June"),
    pgettext_lazy("alt. month", "July"),
    pgettext_lazy("alt. month", "August"),
    pgettext_lazy("alt. month", "September"),
    pgettext_lazy("alt. month", "October"),
    pgettext_lazy("alt. month", "November"),
    pgettext_lazy("alt. month", "December"),
)
