#!/usr/bin/env python3
"""Reads provtrace's Parquet outputs with pyarrow, pandas and (when installed) Hugging Face datasets, a reader
independent of the Java writer, and compares every row with the JSONL twin the same command wrote.

    python tools/check_parquet.py OUT.parquet OUT.jsonl [OUT2.parquet OUT2.jsonl ...]

For each pair: the Arrow schema, the pandas dtypes, and a check that every JSONL field is a column, integers are
integer columns (lists of integers: list<int64>), nulls stay null and every value is equal (numbers exactly, as
doubles). Exits 1 on the first difference. Needs pyarrow and pandas (a venv outside the repo, as the fixture
tools use); datasets is optional.
"""
import json
import sys

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq


def same(want, got, where):
    if want is None:
        if got is not None:
            raise AssertionError(f"{where}: null in the JSONL, {got!r} in the Parquet file")
    elif isinstance(want, bool):
        if got is not want:
            raise AssertionError(f"{where}: {want!r} vs {got!r}")
    elif isinstance(want, (int, float)):
        if isinstance(got, bool) or not isinstance(got, (int, float)) or float(want) != float(got):
            raise AssertionError(f"{where}: {want!r} vs {got!r}")
    elif isinstance(want, list):
        if not isinstance(got, list) or len(want) != len(got):
            raise AssertionError(f"{where}: list of {len(want)} vs {got!r}")
        for i, (a, b) in enumerate(zip(want, got)):
            same(a, b, f"{where}[{i}]")
    elif isinstance(want, dict):
        for k, v in want.items():
            if not isinstance(got, dict) or k not in got:
                raise AssertionError(f"{where}: field {k} is missing from the Parquet file")
            same(v, got[k], f"{where}.{k}")
    elif want != got:
        raise AssertionError(f"{where}: {want!r} vs {got!r}")


def integer_leaves(values):
    """True when every non-null leaf of these JSON values is an int (not a bool, not a float)."""
    seen = False
    stack = list(values)
    while stack:
        v = stack.pop()
        if isinstance(v, list):
            stack.extend(v)
        elif v is None:
            continue
        elif isinstance(v, bool) or not isinstance(v, int):
            return False, seen
        else:
            seen = True
    return True, seen


def leaf_type(t):
    while pa.types.is_list(t) or pa.types.is_large_list(t):
        t = t.value_type
    return t


def check(parquet, jsonl):
    table = pq.read_table(parquet)
    rows = table.to_pylist()
    with open(jsonl, encoding="utf-8") as f:
        want = [json.loads(line) for line in f if line.strip()]
    print(f"== {parquet}: {table.num_rows} rows, {table.num_columns} columns")
    print(table.schema)
    df = table.to_pandas()
    print(df.dtypes.to_string())
    if len(rows) != len(want):
        raise AssertionError(f"{parquet}: {len(rows)} rows, the JSONL has {len(want)}")
    for i, (w, g) in enumerate(zip(want, rows)):
        same(w, g, f"{parquet} row {i}")
    for name in table.schema.names:   # columns whose JSON values are all integers are integer columns
        ints, seen = integer_leaves([w.get(name) for w in want])
        if ints and seen and not pa.types.is_integer(leaf_type(table.schema.field(name).type)):
            raise AssertionError(f"{parquet}: column {name} holds integers but is {table.schema.field(name).type}")
    if any(not pd.api.types.is_integer_dtype(df[c]) for c in df.columns
           if pa.types.is_integer(table.schema.field(c).type) and table.column(c).null_count == 0):
        raise AssertionError(f"{parquet}: an integer column without nulls is not an integer pandas column")
    try:
        import datasets
    except ImportError:
        print("(Hugging Face datasets not installed: skipped)")
    else:
        ds = datasets.Dataset.from_parquet(parquet)
        print("datasets features:", ds.features)
        for i, (w, g) in enumerate(zip(want, ds)):
            same(w, g, f"{parquet} (datasets) row {i}")
    print("ok: every row equal to the JSONL's")


def main(argv):
    if len(argv) < 2 or len(argv) % 2:
        print(__doc__)
        return 2
    for k in range(0, len(argv), 2):
        check(argv[k], argv[k + 1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
