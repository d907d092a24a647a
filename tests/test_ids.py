"""New IDs follow every ID ever given, and are never reused."""

from __future__ import annotations

from automations.rules.ids import describe_ids, highest_number, next_ids
from automations.schema import EVENEMENTS, MEMBRES, PAIEMENTS


class TestNextIds:
    def test_ids_are_zero_padded_after_the_highest(self):
        """After M0009 and M12 come M0013 and M0014."""
        assert next_ids(MEMBRES, 2, ["M0009", "M12", None]) == ["M0013", "M0014"]

    def test_ids_recorded_in_the_journal_are_not_given_again(self):
        """A deleted M0125, recorded as assigned in Journal, pushes the next ID to M0126."""
        journal = ["ID attribués : Membres : M0120 à M0125 ; 12 cellule(s) écrite(s)"]
        assert next_ids(MEMBRES, 1, ["M0001", "M0119"], journal) == ["M0126"]

    def test_other_prefixes_and_longer_words_are_ignored(self):
        """E012 does not count for Membres, nor does « MM0500 » or « M0012X »."""
        assert highest_number(MEMBRES, ["E012", "MM0500", "M0012X", "M0003"]) == 3
        assert next_ids(EVENEMENTS, 1, ["E009"]) == ["E010"]

    def test_ranges_read_naturally_in_french(self):
        """One, two and several IDs are described as a person would write them."""
        assert describe_ids(["M0001"]) == "M0001"
        assert describe_ids(["M0001", "M0002"]) == "M0001 et M0002"
        assert describe_ids(["M0001", "M0002", "M0003"]) == "M0001 à M0003"

    def test_any_set_of_ids_is_described_in_order_with_its_highest(self):
        """Unordered or with gaps, the IDs are listed in order, runs as ranges; the highest
        is always written, so the Journal keeps it (en dash or « à » read alike)."""
        assert describe_ids(["M0003", "M0001", "M0002"]) == "M0001 à M0003"
        assert describe_ids(["M0009", "M0003", "M0007", "M0008", "M0012"]) == "M0003, M0007 à M0009 et M0012"
        journal = ["ID attribués : Paiements : P00001–P00004", "ID attribués : Paiements : P00005 à P00007"]
        assert next_ids(PAIEMENTS, 1, ["P00002"], journal) == ["P00008"]
