"""What the server and the analyst share: the envelope, the sealed document, the export
file format, questionnaire definitions, codebook rows, spreadsheet-safe cells, the language list.

Imports only the standard library, ``cryptography``, ``orjson`` and ``pybase64``: never Flask,
SQLAlchemy, WTForms or Babel (an import-linter contract keeps it so)."""
