"""The local services: a real Elasticsearch node the project provisions and runs itself (``node``,
with the analysis plugin it builds, ``plugin_build``) and the operator's desk of background
services — node, Prefect server, deployment worker (``services``).

May import: the core modules (``node`` only ``errors`` and ``project``, since ``config`` reads it),
``index.es_client``. Never click, ``ingest``, ``search`` or ``cli``.
"""
