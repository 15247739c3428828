"""Every public object has a full numpydoc docstring whose Examples run as shown.

The examples are doctested with numpy's default print options fixed (a test
elsewhere may change them), and an example may not display a numpy scalar:
numpy 2 shows ``np.float64(0.5)`` where numpy 1 shows ``0.5``, so such an
output would hold on one version only (examples use round(), float() or int()).
"""

import doctest
import inspect
import sys

import numpy as np
import pytest

import regfast

PRINT_OPTIONS = dict(precision=8, threshold=1000, edgeitems=3, linewidth=75,
                     suppress=False, nanstr="nan", infstr="inf", sign="-",
                     floatmode="maxprec", legacy=False)


def public(module_name):
    module = pytest.importorskip(module_name) if module_name != "regfast" else regfast
    return [(module_name, name) for name in module.__all__
            if callable(getattr(module, name))]


OBJECTS = public("regfast")
try:
    import dask  # noqa: F401
    import regfast.dask
    OBJECTS += public("regfast.dask")
except ImportError:                     # the [dask] extra is optional
    pass


def lookup(module_name, name):
    return getattr(sys.modules[module_name], name)


def numpy_scalar(value):
    """The first numpy scalar inside a displayed value (tuples, lists, dicts), or None."""
    if isinstance(value, np.generic):
        return value
    items = value.values() if isinstance(value, dict) else (
        value if isinstance(value, (tuple, list)) else ())
    return next((s for s in map(numpy_scalar, items) if s is not None), None)


def checked_displayhook(value):
    scalar = numpy_scalar(value)
    if scalar is not None:
        raise TypeError(f"the example displays a numpy scalar ({type(scalar).__name__}), "
                        "whose repr differs between numpy 1 and 2: wrap it in "
                        "round(), float(), int() or bool()")
    ORIGINAL_DISPLAYHOOK(value)


ORIGINAL_DISPLAYHOOK = sys.__displayhook__


@pytest.mark.parametrize("module_name, name", OBJECTS,
                         ids=[f"{m}.{n}" for m, n in OBJECTS])
def test_examples_run_as_shown(module_name, name, monkeypatch):
    obj = lookup(module_name, name)
    tests = [t for t in doctest.DocTestFinder().find(obj, name, globs={}) if t.examples]
    assert tests, f"{module_name}.{name} has no Examples"
    # doctest displays results with sys.__displayhook__
    monkeypatch.setattr(sys, "__displayhook__", checked_displayhook)
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    with np.printoptions(**PRINT_OPTIONS):
        for test in tests:
            runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} example(s) of {module_name}.{name} failed (output above)"


SECTIONS = {"class": ("Parameters", "Attributes", "Examples"),
            "function": ("Parameters", "Returns", "Examples")}


@pytest.mark.parametrize("name", regfast.__all__)
def test_numpydoc_sections(name):
    """Classes document Parameters and Attributes, functions Parameters and Returns,
    every parameter of the signature is described, and all have Examples."""
    obj = getattr(regfast, name)
    doc = inspect.getdoc(obj)
    kind = "class" if inspect.isclass(obj) else "function"
    for section in SECTIONS[kind]:
        assert f"\n{section}\n{'-' * len(section)}\n" in doc, f"{name}: no {section}"
    params = doc.split("\nParameters\n")[1].split("\n\n")[0]
    documented = {p.strip().lstrip("*") for line in params.splitlines()
                  if line and not line.startswith(" ") for p in line.split(":")[0].split(",")}
    signature = inspect.signature(obj)
    missing = [p for p in signature.parameters if p not in documented]
    assert not missing, f"{name}: parameters not documented: {missing}"
