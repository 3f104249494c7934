import pytest


@pytest.fixture(autouse=True)
def _use_danish(settings):  # noqa: ANN001, ANN202
    settings.LANGUAGE_CODE = "da"
