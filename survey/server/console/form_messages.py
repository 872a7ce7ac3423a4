"""WTForms' own messages in the console's language.

WTForms fills in its messages ("This field is required.", "Not a valid date value.", ...) in
English unless a form's ``Meta.get_translations`` gives it translations. It gets
:data:`TRANSLATIONS`: each message WTForms can give is mapped to one of ours, written here so
that the catalogs hold it, and anything not mapped becomes a plain, translated "check this".
The placeholders (``%(min)d``...) are kept: WTForms fills them in after translating."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

_REQUIRED = _l("Fill in this field.")
_CHOICE = _l("Choose one of the options shown.")
_CHECK = _l("Check what you entered here.")

#: WTForms' English message -> ours. Only the singular of an ngettext pair is looked up.
MESSAGES: dict[str, LazyString] = {
    "This field is required.": _REQUIRED,
    "Not a valid date value.": _l("Enter a date like 2026-12-31."),
    "Not a valid datetime value.": _l("Enter a date like 2026-12-31."),
    "Not a valid integer value.": _l("Enter a whole number, like 42."),
    "Not a valid choice.": _CHOICE,
    "Invalid Choice: could not coerce.": _CHOICE,
    "Invalid choice(s): one or more data inputs could not be coerced.": _CHOICE,
    "'%(value)s' is not a valid choice for this field.": _CHOICE,
    "Field must be at least %(min)d character long.": _l("Use at least %(min)d characters."),
    "Field cannot be longer than %(max)d character.": _l("Use at most %(max)d characters."),
    "Field must be exactly %(max)d character long.": _l("Use exactly %(max)d characters."),
    "Field must be between %(min)d and %(max)d characters long.": _l("Use between %(min)d and %(max)d characters."),
    "Number must be at least %(min)s.": _l("Use %(min)s or more."),
    "Number must be at most %(max)s.": _l("Use %(max)s or less."),
    "Number must be between %(min)s and %(max)s.": _l("Use a number from %(min)s to %(max)s."),
    "Field must be equal to %(other_name)s.": _l("The two entries differ."),
}


class ConsoleTranslations:
    """The ``gettext``/``ngettext`` pair WTForms asks its ``Meta.get_translations`` for."""

    def gettext(self, string: str) -> str:
        return str(MESSAGES.get(string, _CHECK))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular)


TRANSLATIONS = ConsoleTranslations()
