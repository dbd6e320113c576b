"""The ingest: from files in an inbox to documents in the index, safely rerunnable.

Owns planning a run and its state records (``state``), the parse processes (``parse_pool``,
``pipeline``), batches (``batch``, ``head_start``), loading (``load``, ``bulk_mode``), end-of-run
work (``withdrawals``), limits and interruptions (``run_limits``, ``interrupts``, ``zombie_runs``,
``heap``), Prefect task runners (``task_runners``) and what a run reports (``progress``,
``run_report``, ``run_history``, ``drift``). The Prefect flow itself is ``flows/ingest.py``.

May import: the core modules, ``parse``, ``stories``, ``index``, Elasticsearch and Prefect.
Never click, ``search``, ``evaluate`` or ``cli``.
"""
