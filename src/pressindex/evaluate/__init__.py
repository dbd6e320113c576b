"""Measurements against the shared corpora: parsed fields (``fields``), formats (``formats``) and
story clusters (``stories``). Corpus text is read, never written.

May import: the core modules, ``parse``, ``stories`` and the pure parts of ``ingest``
(``ingest.withdrawals``' notice reading). Never Elasticsearch, Prefect or click.
"""
