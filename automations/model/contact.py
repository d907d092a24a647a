"""Parsers for the contact data people type: e-mail addresses, phone numbers, SIRET.

Like :mod:`.values`, each parser takes a raw cell value and returns it normalised, or
raises :class:`ValueProblem` with a French explanation. The checks are the libraries'
(email-validator, phonenumbers, python-stdnum), with fast paths for the common forms.
"""

from __future__ import annotations

import re
from functools import lru_cache

from . import fast_ids
from .cell_text import ValueProblem, _prepare, clean_text

EMAIL_HINT = "Corrigez l'adresse : une seule adresse, de la forme nom@domaine.fr."
PHONE_HINT = "Saisissez un numéro français (06 12 34 56 78) ou international précédé de + (+44 20 7946 0958)."
_ANGLE_ADDRESS = re.compile(r"^[^<>]*<([^<>]+)>$")


# The plain addresses nearly every row holds: ASCII, dot-atoms, a dotted domain with an
# alphabetic top-level label. email-validator accepts all of them, so they skip it (it
# costs about 0.1 ms per address); anything else is left to email-validator.
_PLAIN_EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})"
)
_SPECIAL_USE = frozenset({"arpa", "invalid", "local", "localhost", "onion", "test"})

# An ASCII character email-validator never accepts after the @-sign (it allows letters,
# digits, ``-`` and ``.`` there, and non-ASCII characters it checks further): the staff's
# usual slip, ``jean@exemple,fr``, is refused without loading the library.
_BAD_DOMAIN_CHARACTER = re.compile(r"[\x00-\x2c/:-@\[-`{-\x7f]")


def _plain_email(text: str) -> str | None:
    """``text`` normalised when it is a plain address (see ``_PLAIN_EMAIL``), else ``None``."""
    plain = _PLAIN_EMAIL.fullmatch(text)
    if plain and len(text.split("@", 1)[0]) <= 64:
        domain = plain.group(1).lower()
        if not _SPECIAL_USE.intersection(domain.split(".")):
            return f"{text.rsplit('@', 1)[0]}@{domain}"
    return None


@lru_cache(maxsize=65536)
def _email(text: str) -> str | None:
    plain = _plain_email(text)
    if plain is not None:
        return plain
    at = text.find("@")
    if at < 0 or (text.find("@", at + 1) < 0 and _BAD_DOMAIN_CHARACTER.search(text, at + 1)):
        return None  # no @-sign, or a character no domain holds: email-validator's verdict too
    from email_validator import validate_email

    try:
        return str(validate_email(text, check_deliverability=False).normalized)
    except Exception:  # EmailNotValidError, or anything odd inside the library
        return None


def parse_email(value: object) -> str:
    """One e-mail address, normalised (domain lower-cased); ``Jean <jean@x.fr>`` and
    ``mailto:`` are accepted. Syntax only: nothing is looked up on the network."""
    if type(value) is str and len(value) <= 200 and value[:1] not in ("'", "="):
        plain = _plain_email(value)
        if plain is not None:  # nearly every cell: what the steps below would give
            return plain
    if not isinstance(value, str):
        raise ValueProblem("Adresse e-mail invalide", value=value, hint=EMAIL_HINT)
    text = _prepare(value, "Adresse e-mail invalide", EMAIL_HINT)
    match = _ANGLE_ADDRESS.match(text)
    if match:
        text = match.group(1).strip()
    if text.casefold().startswith("mailto:"):
        text = text[7:].strip()
    if text.count("@") > 1:
        raise ValueProblem(
            "Plusieurs adresses e-mail dans une seule case",
            value=value,
            hint="Gardez une seule adresse : celle où envoyer les relances.",
        )
    result = _email(text) if len(text) <= 254 else None
    if result is None:
        raise ValueProblem("Adresse e-mail invalide", value=value, hint=EMAIL_HINT)
    return result


# A French number written nationally (``06 12 34 56 78``, ``01.23.45.67.89``) needs no
# parsing: its digits are the national number, and outside 08 (services) it prints in
# pairs. Checking its validity directly is five times faster than phonenumbers.parse,
# with the same verdict (tested against the full path).
_FRENCH_NATIONAL = re.compile(r"0[1-79](?:[ .-]?\d{2}){4}")


@lru_cache(maxsize=65536)
def _phone(text: str) -> str | None:
    fast = fast_ids.french_phone(text)
    if fast is not None:
        return fast
    import phonenumbers

    if _FRENCH_NATIONAL.fullmatch(text):
        digits = re.sub(r"\D", "", text)
        number = phonenumbers.PhoneNumber(country_code=33, national_number=int(digits[1:]))
        if not phonenumbers.is_valid_number(number):
            return None
        return " ".join(digits[i : i + 2] for i in range(0, 10, 2))
    candidates = [text]
    digits = re.sub(r"\D", "", text)
    if not text.startswith(("+", "00")) and len(digits) > 10:
        candidates.append("+" + digits)
    for candidate in candidates:
        try:
            number = phonenumbers.parse(candidate, "FR")
        except Exception:  # NumberParseException, or anything odd inside the library
            continue
        if phonenumbers.is_valid_number(number):
            style = (
                phonenumbers.PhoneNumberFormat.NATIONAL
                if number.country_code == 33
                else phonenumbers.PhoneNumberFormat.INTERNATIONAL
            )
            return str(phonenumbers.format_number(number, style))
    return None


def parse_phone(value: object) -> str:
    """A French or international phone number, formatted ``06 12 34 56 78`` (France)
    or ``+44 20 7946 0958`` (elsewhere). A number cell that lost its leading 0 is fine."""
    if type(value) is str:
        text = value.strip()
        if text[:1] not in ("", "'", "=") and len(text) <= 40:
            fast = fast_ids.french_phone(text)
            if fast is not None:  # nearly every cell: what the steps below would give
                return fast
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueProblem("Numéro de téléphone invalide", value=value, hint=PHONE_HINT)
    if isinstance(value, str):
        text = _prepare(value, "Numéro de téléphone invalide", PHONE_HINT)
    else:
        text = clean_text(value)
    result = _phone(text) if 0 < len(text) <= 40 else None
    if result is None:
        raise ValueProblem("Numéro de téléphone invalide", value=value, hint=PHONE_HINT)
    return result


SIRET_HINT = "Recopiez les 14 chiffres du SIRET (annuaire-entreprises.data.gouv.fr), ou laissez la case vide."


def parse_siret(value: object) -> str:
    """A SIRET as its 14 digits, checksum verified (La Poste's exception included).
    A number cell that lost a leading 0 is padded back."""
    hint = SIRET_HINT
    if (
        type(value) is str
        and len(value) == 14
        and value.isascii()
        and value.isdigit()
        and fast_ids.siret_valid(value)
    ):
        return value  # nearly every cell: what the steps below would give
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueProblem("SIRET illisible", value=value, hint=hint)
    text = _prepare(value, "SIRET illisible", hint) if isinstance(value, str) else clean_text(value)
    digits = re.sub(r"[\s.\-\u00a0\u202f]", "", text)
    if not digits.isascii() or not digits.isdigit():
        raise ValueProblem("SIRET illisible (chiffres seulement)", value=value, hint=hint)
    if not isinstance(value, str) and len(digits) == 13:
        digits = "0" + digits
    if len(digits) != 14:
        raise ValueProblem(f"SIRET de {len(digits)} chiffres au lieu de 14", value=value, hint=hint)
    try:
        valid = bool(fast_ids.siret_valid(digits))
        if not valid:
            from stdnum.fr import siret

            valid = bool(siret.is_valid(digits))
    except Exception:
        valid = False
    if not valid:
        raise ValueProblem("SIRET invalide (la clé de contrôle ne correspond pas)", value=value, hint=hint)
    return digits
