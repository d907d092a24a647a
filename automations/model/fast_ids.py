"""Fast paths for the identifiers nearly every row holds in a well-formed shape: French
phone numbers and SIRETs.

phonenumbers and python-stdnum are exact but cost a quarter of a workbook's check, on
values that are almost always typed the same few ways. These functions recognise only
those ways, with a regular expression and a table-driven Luhn sum, and give exactly the
libraries' answer; for anything else they return ``None`` and the caller asks the library
(tests compare both on every prefix the fast path accepts and on many other inputs).
"""

from __future__ import annotations

import re

# A French number in one of the shapes staff type: national (« 01 23 45 67 89 »,
# « 01.23.45.67.89 », « 0123456789 »), international (« +33 1 23 45 67 89 », « +33123456789 »)
# or the 9 digits of a number cell that lost its leading 0. Group 1: the first digit of the
# national significant number, group 2: the 8 others, with their separators.
_FRENCH_PHONE = re.compile(r"(?:0|\+33[ .-]?)?([1-79])((?:[ .-]?\d{2}){4})")
_SEPARATORS = str.maketrans("", "", " .-")

# The 9-digit national significant numbers phonenumbers holds valid for France (its FR
# metadata: fixed lines, mobiles, VoIP), restricted to the 01-07 and 09 ranges; 08 (free,
# shared-cost and premium numbers, formatted differently) is left to the library. A range
# phonenumbers would stop accepting makes the comparison test fail.
_FRENCH_VALID = re.compile(
    r"(?:26[013-9]|59[1-35-9])\d{6}"
    r"|(?:[13]\d|2[0-57-9]|4[1-9]|5[0-8])\d{7}"  # fixed lines
    r"|(?:6(?:[0-24-8]\d|3[0-8]|9[589])|7[3-9]\d)\d{6}"  # mobiles
    r"|9\d{8}"  # VoIP
)


def french_phone(text: str) -> str | None:
    """``text`` (stripped) as phonenumbers formats a valid French number, ``06 12 34 56 78``,
    when it is one in a common shape; ``None`` when the library must decide."""
    match = _FRENCH_PHONE.fullmatch(text)
    if match is None:
        return None
    if text[0] != "0" and text[0] != "+" and not text.isdigit():
        return None  # « 6 12 34 56 78 »: left to the library
    national = match.group(1) + match.group(2).translate(_SEPARATORS)
    if _FRENCH_VALID.fullmatch(national) is None:
        return None
    return f"0{national[0]} {national[1:3]} {national[3:5]} {national[5:7]} {national[7:9]}"


# Luhn: the digit at an even distance from the right counts as is, the other one doubled
# (less 9 when over 9). The doubled digits are swapped for their value by a translation
# table, and the digits summed at once as the bytes of their characters (less 48 each).
_DOUBLED = str.maketrans("0123456789", "0246813579")
_LA_POSTE = "356000000"  # La Poste's establishments use another checksum (python-stdnum's rule)


def _luhn_ok(digits: str) -> bool:
    """Whether ``digits`` (ASCII digits only) pass the Luhn check."""
    counted = digits[-1::-2] + digits[-2::-2].translate(_DOUBLED)
    return (sum(counted.encode("ascii")) - 48 * len(counted)) % 10 == 0


def siret_valid(digits: str) -> bool | None:
    """``True`` when ``digits`` (14 ASCII digits) is a SIRET python-stdnum accepts and the
    sum alone shows it (the SIRET and its SIREN both pass Luhn, La Poste aside); ``None``
    otherwise, for the library to decide."""
    if len(digits) != 14 or not digits.isascii() or not digits.isdigit() or digits.startswith(_LA_POSTE):
        return None
    if _luhn_ok(digits) and _luhn_ok(digits[:9]):
        return True
    return None
