"""Money in: payments read from HelloAsso and the bank, matched to members, appended to
``Paiements``.

    records.py          what an import reads from a file: one ``Incoming`` per payment
    helloasso_export.py HelloAsso exports (CSV, XLSX) into ``Incoming``
    bank.py             French bank statements (CSV, OFX) into ``Incoming``
    files.py            reading a file of either kind, with French errors
    helloasso_api.py    HelloAsso API v5 client (orders since the last import)
    settings.py         the [payments] section

The job is ``jobs/payments.py``; the ledger rules ``rules/payments.py``; the member a
payment comes from ``rules/matching.py`` (pure).
"""

from ..errors import PaymentsError

__all__ = ["PaymentsError"]
