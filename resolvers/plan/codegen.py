"""Each selection's builder as straight-line Python, written once per plan.

Walking a selection's compiled fields costs a method call or two per field. For a page of
50 customers (about 2,000 fields) the plan instead runs a function written for that
selection alone: a column read inline (``obj.acct_no``), a serializer called only where one
is needed, the disclosure gate called directly, with the same error handling and null
propagation as the fields' own ``value`` methods, which still serve every other kind of
field. ``tests/test_planner.py`` compares the result with the resolver tree.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from resolvers.plan.fields import Banded, Bubble, Disclosed, Field, Leaf, Typename
from resolvers.plan.specs import owner_of

Builder = Callable[[Any, Any, str], dict[str, Any]]
_ATTRIBUTE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")


def builder(fields: tuple[Field, ...], identity: Callable[[Any], Any]) -> Builder:
    """The function building an object's response from these fields (``identity``: the
    compiler's do-nothing serializer, left out of the written code)."""
    lines = ["def build(obj, run, path):", "    out = {}"]
    namespace: dict[str, Any] = {"Bubble": Bubble}
    if any(type(f) in (Leaf, Disclosed) for f in fields):
        lines.append('    prefix = path + "." if path else ""')  # a field's path: prefix + key
    if any(type(f) is Disclosed for f in fields):
        lines.append("    disclose = run.disclosure.disclose")
    for i, field in enumerate(fields):
        namespace[f"f{i}"] = field
        key = repr(field.key)
        if type(field) is Typename:
            lines.append(f"    out[{key}] = {field.name!r}")
        elif type(field) is Leaf:
            lines += _leaf(i, field, key, namespace, identity)
        elif type(field) is Disclosed:
            lines += _disclosed(i, field, key, namespace, identity)
        else:  # related objects, lists and bands keep their own method
            lines.append(f"    out[{key}] = f{i}.value(obj, run, path)")
    lines.append("    return out")
    exec(compile("\n".join(lines), f"<plan of {len(fields)} fields>", "exec"), namespace)
    built: Builder = namespace["build"]
    return built


def _read(i: int, field: Leaf | Disclosed, namespace: dict[str, Any]) -> str:
    if field.attribute is not None and _ATTRIBUTE.fullmatch(field.attribute):
        return f"obj.{field.attribute}"
    namespace[f"r{i}"] = field.read
    return f"r{i}(obj, run)"


def _leaf(
    i: int, field: Leaf, key: str, namespace: dict[str, Any], identity: Callable[[Any], Any]
) -> list[str]:
    lines = ["    try:", f"        v = {_read(i, field, namespace)}"]
    if field.serialize is not identity:
        namespace[f"s{i}"] = field.serialize
        lines += ["        if v is not None:", f"            v = s{i}(v)"]
    lines += [
        "    except Exception as error:",
        f"        f{i}.fail(error, run, prefix + {key})",
        "        v = None",
    ]
    if field.nonnull:
        lines += ["    if v is None:", f"        f{i}.missing(run, prefix + {key})"]
    lines.append(f"    out[{key}] = v")
    return lines


def _disclosed(
    i: int, field: Disclosed, key: str, namespace: dict[str, Any], identity: Callable[[Any], Any]
) -> list[str]:
    assert not isinstance(field, Banded)
    namespace[f"c{i}"] = field.catalogue
    if field.owner is owner_of:
        owner = "obj.cust_no"
    else:
        namespace[f"o{i}"] = field.owner
        owner = f"o{i}(obj)"
    lines = [
        f"    here = prefix + {key}",
        "    try:",
        f"        v = disclose(c{i}, {owner}, {_read(i, field, namespace)}, here)",
        "    except Exception as error:",
        f"        f{i}.fail(error, run, here)",
        "        v = None",
    ]
    if field.serialize is not identity:
        namespace[f"s{i}"] = field.serialize
        lines.append(f"    out[{key}] = v if v is None else s{i}(v)")
    else:
        lines.append(f"    out[{key}] = v")
    return lines
