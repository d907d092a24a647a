"""Which member a payment comes from, by rules tried in order (pure, no I/O):

1. the reference the reminder e-mails ask for, « Cotisation M0018 » (any case, any spacing);
2. the payer's e-mail, equal to a member's ``Email``;
3. a SIRET (14 digits) found in what the payer wrote;
4. the payer's, structure's or contact's name, exactly then fuzzily (rapidfuzz).

When a rule finds several members, the fee due (TTC) equal to the amount paid breaks the
tie. A payment matched to nobody, or to several members, gets no member and a French
sentence naming the candidates, for the staff to choose. A name that only comes close
(« nom approchant ») is **proposed, never applied**: the match has no member, names the
candidate in ``proposed`` and its sentence asks the staff to confirm by choosing it in
« Membre » (a close name once gave a member someone else's payment, and a receipt).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from ..model.rows import Member, id_key
from ..text import to_ascii

# « Cotisation M0018 », « cotisation m 18 », « COTISATION-M0018 », « CotisationM0018 »
REFERENCE = re.compile(r"cotisation\s*[-:°n]*\s*(m\s*-?\s*\d{1,6})(?!\d)", re.IGNORECASE)
SIRET = re.compile(r"(?<!\d)(\d(?:[ .]?\d){13})(?!\d)")
FUZZY_CUTOFF = 88.0
FUZZY_MARGIN = 3.0  # candidates this close to the best score are all candidates
_LEGAL_FORMS = re.compile(
    r"\b(sarl|sas|sasu|eurl|sa|sci|scop|association|asso|ei|eirl|micro entreprise|"
    r"auto entrepreneur|m|mme|mr|monsieur|madame|ste|societe)\b"
)
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_SHOWN_CANDIDATES = 5
_CHUNK = 500  # queries per cdist call: 500 × the members' names, one byte each


@lru_cache(maxsize=65536)
def normalize_name(text: str | None) -> str:
    """A name as compared: no accents, case, punctuation, legal forms or civilities;
    the words sorted (« Dupont Jean » = « JEAN DUPONT »)."""
    if not text:
        return ""
    plain = to_ascii(text).casefold()
    plain = _NOT_ALNUM.sub(" ", plain)
    plain = _LEGAL_FORMS.sub(" ", plain)
    return " ".join(sorted(plain.split()))


@dataclass(frozen=True)
class Clue:
    """What an incoming payment says about its payer."""

    text: str = ""  # free text: bank label, form answers (searched for the reference, a SIRET)
    email: str | None = None
    names: tuple[str, ...] = ()  # payer, adherent, company, as given
    amount: Decimal | None = None


@dataclass(frozen=True)
class Match:
    member_id: str | None
    how: str  # French: which rule matched, or why none did
    candidates: tuple[str, ...] = ()
    problem: str | None = None  # the anomaly for the staff when no single member
    proposed: str | None = None  # an approaching name's member, for the staff to confirm


class MemberIndex:
    """The members, indexed for matching; ``due`` gives the fee due (TTC) of a member by ID
    key (a mapping, or a function asked only when a tie is to break)."""

    def __init__(
        self,
        members: Iterable[Member],
        due: Mapping[str, Decimal] | Callable[[str], Decimal | None] | None = None,
    ) -> None:
        self.members: dict[str, Member] = {}
        self.by_email: dict[str, list[str]] = {}
        self.by_siret: dict[str, list[str]] = {}
        self.by_name: dict[str, list[str]] = {}
        self.due: Callable[[str], Decimal | None] = due if callable(due) else (dict(due or {})).get
        for member in members:
            key = id_key(member.id)
            if key is None or key in self.members:
                continue
            self.members[key] = member
            if member.email:
                self.by_email.setdefault(member.email.strip().casefold(), []).append(key)
            if member.siret:
                self.by_siret.setdefault(re.sub(r"\D", "", member.siret), []).append(key)
            for name in {normalize_name(member.structure), normalize_name(member.contact)}:
                if name:
                    self.by_name.setdefault(name, []).append(key)
        self._names = list(self.by_name)

    def label(self, key: str) -> str:
        member = self.members[key]
        return f"{member.id} ({member.structure or member.contact or '?'})"

    def listed(self, key: str) -> str:
        """A member as the ``Membre`` dropdown offers it: « M0012 – Éditions Ritournelle »."""
        member = self.members[key]
        return f"{member.id} – {member.structure or member.contact or '?'}"

    def match(self, clue: Clue) -> Match:
        return self.match_many([clue])[0]

    def match_many(self, clues: Sequence[Clue]) -> list[Match]:
        """``match`` for many payments: the fuzzy search runs once, for all those that no
        exact rule matched (rapidfuzz's ``cdist``, on every core)."""
        results: list[Match | None] = []
        pending: list[tuple[int, list[str], list[str]]] = []
        for clue in clues:
            notes: list[str] = []
            found = self._exact(clue, notes)
            if found is None:
                names = [n for n in dict.fromkeys(normalize_name(name) for name in clue.names) if n]
                pending.append((len(results), notes, names))
            results.append(found)
        scores = self._fuzzy({n for _, _, names in pending for n in names})
        for index, notes, names in pending:
            fuzzy: dict[str, float] = {}
            for name in names:
                for choice, score in scores.get(name, ()):
                    for key in self.by_name[choice]:
                        fuzzy[key] = max(fuzzy.get(key, 0.0), score)
            clue = clues[index]
            if fuzzy:
                best = max(fuzzy.values())
                keys = sorted((k for k, s in fuzzy.items() if s >= best - FUZZY_MARGIN), key=self._order)
                decided = self._decide(keys, f"nom approchant ({best:.0f} %)", clue, notes)
                results[index] = self._propose(decided, notes, best)
            else:
                results[index] = self._none(clue, notes)
        return [r for r in results if r is not None]

    def _exact(self, clue: Clue, notes: list[str]) -> Match | None:
        found = REFERENCE.search(clue.text or "")
        if found:
            key = id_key(re.sub(r"[\s-]", "", found.group(1)))
            if key in self.members:
                return Match(self.members[key].id, f"référence « {found.group(0).strip()} »")
            notes.append(f"la référence « {found.group(0).strip()} » ne correspond à aucun membre")
        if clue.email:
            keys = self.by_email.get(clue.email.strip().casefold(), [])
            if keys:
                return self._decide(keys, "e-mail du payeur", clue, notes)
        for digits in SIRET.findall(clue.text or ""):
            keys = self.by_siret.get(re.sub(r"\D", "", digits), [])
            if keys:
                return self._decide(keys, "SIRET", clue, notes)
        names = [n for n in dict.fromkeys(normalize_name(name) for name in clue.names) if n]
        exact = sorted({k for n in names for k in self.by_name.get(n, [])}, key=self._order)
        if exact:
            return self._decide(exact, "nom", clue, notes)
        return None

    def _fuzzy(self, queries: set[str]) -> dict[str, list[tuple[str, float]]]:
        """For each query, the members' names scoring at least ``FUZZY_CUTOFF`` (words are
        sorted by ``normalize_name``, so the plain ratio is the token-sort ratio)."""
        found: dict[str, list[tuple[str, float]]] = {}
        ordered = sorted(queries)
        if not ordered or not self._names:
            return found
        # Imported here: numpy costs 0.2 s to import, which only a fuzzy match needs.
        import numpy
        from rapidfuzz import fuzz, process

        for start in range(0, len(ordered), _CHUNK):
            chunk = ordered[start : start + _CHUNK]
            matrix = process.cdist(
                chunk,
                self._names,
                scorer=fuzz.ratio,
                processor=None,
                score_cutoff=FUZZY_CUTOFF,
                dtype=numpy.uint8,
                workers=-1,
            )
            for row, query in enumerate(chunk):
                hits = numpy.nonzero(matrix[row])[0]
                if len(hits):
                    found[query] = [(self._names[i], float(matrix[row][i])) for i in hits]
        return found

    # -- helpers ---------------------------------------------------------------

    def _order(self, key: str) -> tuple[int, str]:
        digits = re.sub(r"\D", "", key)
        return (int(digits) if digits else 0, key)

    def _decide(self, keys: list[str], how: str, clue: Clue, notes: list[str]) -> Match:
        keys = list(dict.fromkeys(keys))
        if len(keys) == 1:
            return Match(self.members[keys[0]].id, how)
        if clue.amount is not None:
            fitting = [k for k in keys if self.due(k) == clue.amount]
            if len(fitting) == 1:
                return Match(self.members[fitting[0]].id, f"{how}, départagé par le montant dû")
        shown = ", ".join(self.label(k) for k in keys[:_SHOWN_CANDIDATES])
        more = f" et {len(keys) - _SHOWN_CANDIDATES} autre(s)" if len(keys) > _SHOWN_CANDIDATES else ""
        prefix = (notes[0][0].upper() + notes[0][1:] + ". ") if notes else ""
        problem = (
            f"{prefix}Plusieurs membres possibles ({how}) : {shown}{more}. Choisissez le bon dans « Membre »."
        )
        return Match(
            None, f"plusieurs membres ({how})", tuple(self.members[k].id or k for k in keys), problem
        )

    def _propose(self, decided: Match, notes: list[str], score: float) -> Match:
        """An approaching name never fills « Membre »: its one member is proposed, with the
        sentence asking the staff to confirm; several stay candidates to choose from."""
        if decided.member_id is None:
            return decided
        key = id_key(decided.member_id) or decided.member_id
        prefix = (notes[0][0].upper() + notes[0][1:] + ". ") if notes else ""
        tied = ", départagé par le montant dû" if "départagé" in decided.how else ""
        problem = (
            f"{prefix}Payeur proche de {self.listed(key)} (nom ressemblant à {score:.0f} %{tied}) : "
            "si c'est bien ce membre, choisissez-le dans « Membre »."
        )
        return Match(
            None,
            f"{decided.how}, {decided.member_id} proposé",
            (decided.member_id,),
            problem,
            proposed=decided.member_id,
        )

    def _none(self, clue: Clue, notes: list[str]) -> Match:
        who = next((n for n in clue.names if n), None) or clue.email or "inconnu"
        prefix = (notes[0][0].upper() + notes[0][1:] + ". ") if notes else ""
        problem = (
            f"{prefix}Aucun membre reconnu pour ce paiement (payeur « {who} ») : "
            "choisissez le membre dans « Membre », ou laissez vide pour un payeur extérieur."
        )
        return Match(None, "aucun membre reconnu", (), problem)
