"""The index: its definition and everything that talks to Elasticsearch about its shape.

Owns the client factory (``es_client``), the index definitions read from ``mappings/`` and the
alias lifecycle (``indices``), the German analysis data and its checks (``german``,
``analysis_data``) and the Kibana saved objects (``kibana``).

May import: the core modules (``errors``, ``project``, ``config``, ``model``, ``languages``),
Elasticsearch. Never Prefect, click, or the layers above (``ingest``, ``search``, ``cli``).
"""
