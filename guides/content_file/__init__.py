"""Content as a versioned JSON file: export, and import that makes a database match it.

The file names every row by its natural key (slugs, a carrier's card type by
carrier and slug, a guide's steps by position), never by database id, and
writes keys and rows in a fixed order with one field per line, so two exports
diff well and a file moves between databases. Translated fields hold every
site language: {"en": …, "km": …, "zh-hans": …}.

Import creates or updates the file's rows and leaves other top-level rows
alone; the children of an imported row (a carrier's contacts, a guide's steps,
requirements and updates) become exactly the file's. A row whose values already
match is not written, so importing the same file twice changes nothing.

Adding a model is one entry in KINDS (or in a kind's `children`).


format.py says what the file holds (its sections, keys and fields), export.py
writes it, check.py reads a file through without writing anything and lists
every problem, load.py writes a checked file in one transaction, by the
admin's rules for guides (rules.py: versions, change notes, the workflow, who
publishes). The names here
are what the commands, the admin and the tests use.
"""

from guides.content_file.check import Checker
from guides.content_file.export import export_data, export_json
from guides.content_file.format import (
    CONTENT_MODELS,
    FORMAT,
    KINDS,
    MAX_FILE_BYTES,
    MEGABYTE,
    NOT_CONTENT,
    SEED_FILE,
    VERSION,
    ContentFileError,
)
from guides.content_file.load import import_data, import_file, parse, too_large
from guides.content_file.rules import Who

__all__ = [
    "CONTENT_MODELS",
    "FORMAT",
    "KINDS",
    "MAX_FILE_BYTES",
    "MEGABYTE",
    "NOT_CONTENT",
    "SEED_FILE",
    "VERSION",
    "Checker",
    "ContentFileError",
    "Who",
    "export_data",
    "export_json",
    "import_data",
    "import_file",
    "parse",
    "too_large",
]
