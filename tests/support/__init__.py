"""What the unit tests (tests/unit/) and the integration tests (tests/integration/) share:
one module per concern, imported from here; the fixtures that use them are in the
conftest.py files."""
