import pytest


@pytest.fixture(autouse=True)
def _use_danish(settings):
    settings.LANGUAGE_CODE = "da"
