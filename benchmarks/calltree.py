"""The calls a function of the model makes, read from its source, as places where a timer can go.

The phase benchmark must follow the model as it is, not as it was when the benchmark was written:
a hand-kept list of method names breaks (or silently times nothing) each time the step is
redesigned. So the parts of a phase are read from the phase's own source, in the order they
appear, and each is resolved to the object it is looked up on at call time (a module global,
a method of the model, of one of its organisations or of the agents it loops over).
Calls to anything outside `hls_sim` (numpy, builtins) stay unresolved: they count as the
phase's own time.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Call:
    """A callable named `name` on `owner` (a module or a class), shown as `label`."""

    label: str
    owner: Any
    name: str


PACKAGE = "hls_sim"


def _in(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _ours(obj: Any, package: str) -> bool:
    """Defined in the package (numba dispatchers carry the module of the Python function they compile)."""
    return _in(getattr(obj, "__module__", None) or "", package)


def _constructor(label: str, cls: type) -> Call | None:
    """Making one of the package's objects: its own __init__ is what runs (exceptions aside)."""
    if issubclass(cls, BaseException) or "__init__" not in vars(cls):
        return None
    return Call(label, cls, "__init__")


def _resolve(node: ast.expr, module: types.ModuleType, proto: Any, loops: dict[str, type], package: str) -> Call | None:
    g = vars(module)

    def ours(obj: Any) -> bool:
        return _ours(obj, package)

    if isinstance(node, ast.Name):
        obj = g.get(node.id)
        if obj is None or not callable(obj) or not ours(obj):
            return None
        if isinstance(obj, type):
            return _constructor(node.id, obj)
        return Call(node.id, module, node.id)
    if not isinstance(node, ast.Attribute):
        return None
    base, name = node.value, node.attr
    if isinstance(base, ast.Name) and base.id == "self":
        cls = type(proto)
        return Call(name, cls, name) if ours(getattr(cls, name, None)) else None
    if isinstance(base, ast.Attribute) and isinstance(base.value, ast.Name) and base.value.id == "self":
        held = getattr(proto, base.attr, None)
        cls = type(held)
        if held is None or isinstance(held, types.ModuleType) or not ours(cls):
            return None
        return Call(f"{base.attr}.{name}", cls, name) if ours(getattr(cls, name, None)) else None
    if isinstance(base, ast.Name) and base.id in loops:
        cls = loops[base.id]
        return Call(f"{cls.__name__}.{name}", cls, name) if ours(getattr(cls, name, None)) else None
    if isinstance(base, ast.Name) and isinstance(g.get(base.id), types.ModuleType):
        mod = g[base.id]
        obj = getattr(mod, name, None)
        if not _in(mod.__name__, package) or not callable(obj):
            return None
        return _constructor(f"{base.id}.{name}", obj) if isinstance(obj, type) else Call(f"{base.id}.{name}", mod, name)
    return None


def calls(func: Callable[..., Any], proto: Any, package: str = PACKAGE) -> list[Call]:
    """Every resolvable call in `func`'s body, first occurrence first, in the order they run.

    `proto` is an instance of the model (any size): the types of its attributes and of the
    elements of the lists a `for x in self.items:` loop walks tell what `self.a.m()` and `x.m()`
    call.
    """
    tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    module = inspect.getmodule(func)
    loops: dict[str, type] = {}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.For)
            and isinstance(node.target, ast.Name)
            and isinstance(node.iter, ast.Attribute)
            and isinstance(node.iter.value, ast.Name)
            and node.iter.value.id == "self"
        ):
            items = getattr(proto, node.iter.attr, None)
            if isinstance(items, list) and items:
                loops[node.target.id] = type(items[0])
    found: list[Call] = []

    class Visitor(ast.NodeVisitor):
        def visit_Call(self, node: ast.Call) -> None:
            self.generic_visit(node)  # arguments run before the call itself
            call = _resolve(node.func, module, proto, loops, package)
            if call is not None and all(c.label != call.label for c in found):
                found.append(call)

    Visitor().visit(tree)
    return found
