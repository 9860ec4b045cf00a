"""Shared fixtures. Real reference data lives in ../shared/data beside the checkout."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("KLASTER_SHARED_DATA", ROOT.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Path to ../shared/data; skips the test with a reason when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"reference data not found at {SHARED_DATA} (set KLASTER_SHARED_DATA)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def cbp_state_csv(shared_data: Path) -> Path:
    path = shared_data / "cbp" / "cbp2021_state_naics6.csv"
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    return path
