"""pressindex: raw news wire files → a searchable Elasticsearch index with German analysis.

The package in layers; a module imports only from its own layer or the ones below it
(``tests/test_layers.py`` checks it)::

    cli/            click commands, the only layer that imports click
      │
      ├── evaluate/     measurements on the shared corpora (no Elasticsearch, no Prefect)
      ├── search.py     queries, collapse on stories, facets (Elasticsearch)
      ├── ingest/       plan, parse pool, batches, load, state, reports (Elasticsearch, Prefect)
      │     │
      │     ├── stories/    story clusters: pure fingerprints; candidate look-up and assignment
      │     ├── index/      client, index definitions from mappings/, analysis data, Kibana objects
      │     └── localnode/  the local Elasticsearch node and the background services
      │
      ├── parse/        pure: bytes → Article (no I/O, no Elasticsearch, no Prefect)
      └── core          errors, project, config, model, languages

The Prefect flows are thin wrappers in ``flows/``; they call ``ingest``.
"""
