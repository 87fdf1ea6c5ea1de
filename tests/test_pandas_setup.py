"""recon/pandas_setup.py: Arrow-backed strings and the fast ArrowStringArray.isin
give the same answers as pandas' own isin."""
import numpy as np
import pandas as pd
import pytest

import recon  # noqa: F401  (applies the settings)
from recon.pandas_setup import _pandas_isin

VALUES = pd.Series(["a", None, "b", "c"], dtype="string")


def test_string_columns_are_arrow_backed():
    assert pd.Series(["x"], dtype="string").dtype.storage == "pyarrow"


@pytest.mark.parametrize("among", [
    ["a"], ["a", None], [None], [pd.NA], [], ["zz"], [1, "a"], np.array(["b"]), pd.Index(["a", "c"]),
    pd.Series(["c", pd.NA], dtype="string"), pd.Series([], dtype=object), pd.Series(["b"], dtype=object),
], ids=repr)
def test_fast_isin_agrees_with_pandas(among):
    assert VALUES.isin(among).tolist() == list(_pandas_isin(VALUES.array, among))


def test_fast_isin_takes_a_set():
    assert VALUES.isin({"b", "c"}).tolist() == [False, False, True, True]
