"""Tables matched by document id as hash look-ups (``pyarrow.compute.index_in``) rather than Arrow's
join: the same rows, in the left table's order, ~0.07 s at 100,000 rows, where the join's first
call in a process costs ~0.4 s (its engine starting), which is what a next version's build pays.
The join stays for tables whose ids repeat (only a build's rejected duplicate ids do)."""
from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc


def unique(table: pa.Table) -> bool:
    """Whether no id of ``table`` repeats (a null counts as an id)."""
    return pc.count_distinct(table.column("id"), mode="all").as_py() == table.num_rows


def left_join(old: pa.Table, new: pa.Table) -> pa.Table:
    """``old`` left outer joined with ``new`` by ``id``: ``old``'s columns then ``new``'s others
    (a name both have suffixed ``_new``), null where ``new`` lacks the id; a row of ``old`` once for
    each row of ``new`` with its id."""
    if not unique(new):
        return old.join(new, keys="id", join_type="left outer", right_suffix="_new")
    at = pc.index_in(old.column("id"), value_set=new.column("id"))
    for name in new.column_names:
        if name != "id":
            old = old.append_column(name + "_new" if name in old.column_names else name, new.column(name).take(at))
    return old
