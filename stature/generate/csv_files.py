"""Generated follows, likes, accounts and lists as CSV tables Stature's CSV importer reads."""
from __future__ import annotations

from pathlib import Path

import numpy as np


class CsvTable:
    """A CSV file written a chunk of numpy / Arrow columns at a time."""

    def __init__(self, path: Path, columns: tuple[str, ...]):
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.csv as pacsv
        self.pa, self.pc = pa, pc
        self.columns = columns
        schema = pa.schema([(name, pa.string()) for name in columns])
        self.writer = pacsv.CSVWriter(str(path), schema, write_options=pacsv.WriteOptions(quoting_style="needed"))

    def write(self, length: int, **values) -> None:
        pa = self.pa
        arrays = []
        for name in self.columns:
            value = values.get(name)
            if value is None:
                arrays.append(pa.nulls(length, pa.string()))
            elif isinstance(value, str):
                arrays.append(pa.repeat(value, length))
            elif isinstance(value, np.ndarray) and value.dtype.kind == "M":  # UTC, said with a Z
                text = pa.array(value.astype("datetime64[s]")).cast(pa.string())
                arrays.append(self.pc.binary_join_element_wise(text, "Z", ""))
            else:
                arrays.append(pa.array(value).cast(pa.string()))
        self.writer.write_table(pa.Table.from_arrays(arrays, names=list(self.columns)))

    def close(self):
        self.writer.close()


INTERACTIONS = ("network", "source", "target", "kind", "time", "weight", "post_id")
ACCOUNTS = ("network", "account_id", "handle", "display_name", "bio", "followers_count", "following_count",
            "listed_count", "posts_count")
LISTS = ("network", "list_id", "member_id", "list_name", "owner_id", "owner_handle")
