"""One error hierarchy for pressindex.

    PressindexError
    ├── InputError            a file cannot become a document (terminal: quarantine it)
    │   ├── EmptyInput        code "empty"
    │   ├── BinaryInput       code "binary"       (PDF, ZIP, PNG, … or NUL-heavy bytes)
    │   ├── TooLarge          code "too_large"
    │   ├── Undecodable       code "undecodable"
    │   ├── NoText            code "no_text"      (nothing left after cleaning)
    │   ├── Unreadable        code "unreadable"   (permissions, vanished file, I/O error)
    │   ├── MalformedXml      code "malformed_xml"  (a NewsML-G2/NITF file that is not well-formed)
    │   ├── MalformedJson     code "malformed_json" (a JSON item file that does not parse)
    │   ├── XmlEntitiesForbidden  code "xml_entities_forbidden" (entity declarations: XXE, billion laughs)
    │   └── UnknownStructure  code "unknown_structure" (JSON that is no news item we know)
    │   (the parse processes add three codes of their own, for files over a per-file limit:
    │    "parse_timeout", "parse_memory", "parse_crash"; see pressindex.ingest.parse_pool)
    ├── LoadError             Elasticsearch did not take documents
    │   ├── TransientLoadError  429/503/timeouts/connection refused: retry
    │   └── TerminalLoadError   mapping conflicts, rejected documents: do not retry
    ├── ParsePoolStopped      the parse processes were stopped (an interrupted run) or cannot start
    ├── ConfigError           settings that cannot work
    └── LocalNodeError        the local Elasticsearch could not be provisioned or started

Every error has a stable ``code`` (used in quarantine records and summaries) and
pickles cleanly, so it survives process pools and persisted Prefect results.
"""

from __future__ import annotations


class PressindexError(Exception):
    code = "error"
    transient = False

    def __init__(self, message: str, *, path: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path

    def __reduce__(self):  # keep keyword attributes across pickling
        return (_rebuild, (type(self), self.message, self.path))

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


def _rebuild(cls, message, path):
    return cls(message, path=path)


class InputError(PressindexError):
    code = "input"


class EmptyInput(InputError):
    code = "empty"


class BinaryInput(InputError):
    code = "binary"


class TooLarge(InputError):
    code = "too_large"


class Undecodable(InputError):
    code = "undecodable"


class NoText(InputError):
    code = "no_text"


class Unreadable(InputError):
    code = "unreadable"


class MalformedXml(InputError):
    code = "malformed_xml"


class MalformedJson(InputError):
    code = "malformed_json"


class XmlEntitiesForbidden(InputError):
    """An XML file declaring entities (external ones read files or URLs, nested ones expand
    exponentially): refused whole, never expanded."""

    code = "xml_entities_forbidden"


class UnknownStructure(InputError):
    code = "unknown_structure"


class LoadError(PressindexError):
    code = "load"


class TransientLoadError(LoadError):
    code = "load_transient"
    transient = True


class TerminalLoadError(LoadError):
    code = "load_rejected"


class ParsePoolStopped(PressindexError):
    """Terminal: a run being stopped must not retry its batches, and processes that cannot start
    (a broken install) will not start on a retry either."""

    code = "parse_pool"


class ConfigError(PressindexError):
    code = "config"


class LocalNodeError(PressindexError):
    code = "local_node"
