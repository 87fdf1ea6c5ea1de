"""pandas settings every stage relies on (imported by recon/__init__.py).

- Every "string" column is Arrow-backed: vectorised string kernels, cheap
  isna/factorize, a third of the memory of Python str objects. RE2 (Arrow's
  regex engine) has no lookaround: the few patterns that need one run on
  object dtype (recon.ids.mask_ids_in_text).
- pandas 2.3's ArrowStringArray.isin builds one pyarrow scalar per value in
  Python: `ids.isin(other_ids)` over a county's 200,000 IDs cost 0.1 s a
  call. `fast_isin` converts the values in one call and asks pyarrow."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.core.arrays.string_arrow import ArrowStringArray

pd.set_option("mode.string_storage", "pyarrow")

_pandas_isin = ArrowStringArray.isin


def fast_isin(self: ArrowStringArray, values) -> np.ndarray:
    if isinstance(values, (set, frozenset, dict)):
        values = list(values)
    try:
        value_set = pa.array(np.asarray(values, dtype=object), type=self._pa_array.type, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError):
        return _pandas_isin(self, values)   # non-text values among them: pandas' own rules
    if len(value_set) == 0:
        return np.zeros(len(self), dtype=bool)
    return np.array(pc.is_in(self._pa_array, value_set=value_set), dtype=np.bool_)


ArrowStringArray.isin = fast_isin
