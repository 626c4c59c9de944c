"""Errors read as an analyst writes: plain numbers, and no pandas needed to raise one."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from workbench.errors import DataValidationError, ParameterError, WorkbenchError, plain_numbers
from workbench.report.params import check_value, parse_parameters_source


def test_a_parameter_of_numpy_type_is_named_as_a_plain_number():
    spec = parse_parameters_source("start_year: str = 'x'  # a test parameter")["start_year"]
    with pytest.raises(ParameterError) as caught:
        check_value(spec, np.int64(1900))
    assert str(caught.value) == "parameter 'start_year': expected str, found int64 1900"


def test_every_workbench_error_writes_numpy_scalars_plainly():
    years = (np.int64(1989), np.int64(2021))
    assert str(ParameterError(f"start_year {np.int64(1900)!r} is before {years!r}")) == \
        "start_year 1900 is before (1989, 2021)"
    assert str(WorkbenchError(f"{np.float64(2.5)!r} {np.str_('KP')!r} {np.True_!r}")) == "2.5 'KP' True"
    assert str(DataValidationError("f.csv", f"value {np.int32(-3)!r}", row=np.int64(4))) == "file f.csv, row 4: value -3"


@given(st.integers(min_value=-(2**62), max_value=2**62) | st.floats(allow_nan=False, allow_infinity=False))
def test_plain_numbers_give_what_python_numbers_show(value):
    numpy_value = np.int64(value) if isinstance(value, int) else np.float64(value)
    assert plain_numbers(f"found {numpy_value!r} here") == f"found {value!r} here"


def test_raising_an_error_needs_no_pandas():
    code = "import sys, workbench.errors; print('pandas' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
