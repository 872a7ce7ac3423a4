"""The analyst's offline toolkit. Imports only the envelope, plaintext, questionnaire and export
file modules: never Flask, never SQLAlchemy (a test checks this)."""
