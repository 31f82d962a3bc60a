import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("SALESCOACH_SHARED", ROOT.parent / "shared"))


@pytest.fixture
def shared_data() -> Path:
    d = SHARED / "data"
    if not d.is_dir():
        pytest.skip("../shared/data is not present (developer data only)")
    return d


@pytest.fixture
def use_model(monkeypatch):
    """use_model(env, loader, value=None): for the rest of the test the analyzers load the model file `value`
    (a path, or "none" for no model; None: the shipped one), named by the environment variable `env` and
    read by the lru-cached `loader`, whose cache is cleared on each switch and at the end."""
    loaders = []

    def use(env: str, loader, value=None) -> None:
        if value is None:
            monkeypatch.delenv(env, raising=False)
        else:
            monkeypatch.setenv(env, str(value))
        loader.cache_clear()
        loaders.append(loader)

    yield use
    for loader in loaders:  # before monkeypatch restores the environment: the next load reads it afresh
        loader.cache_clear()
