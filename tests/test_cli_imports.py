"""Start-up cost of the command line (issue 14): `import klaster.cli` and `klaster --help`
load Typer and Rich only, never the analytics stack; the lazy package namespaces still
export the same objects as the old eager ``__init__`` files.

Checked by the set of modules loaded in a fresh interpreter, not by timing.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("scipy", "numba", "networkx", "django", "dask", "distributed", "plotly", "polars",
         "numpy", "pyarrow", "sklearn", "rustworkx", "weasyprint", "pandas",
         # Typer 0.29 made pydantic a dependency it imports for every command (0.2-0.3 s
         # of start-up): pyproject pins typer below 0.29 until that is lazy again.
         "pydantic")


def _loaded_after(code: str) -> set[str]:
    probe = (f"{code}\nimport json, sys\n"
             f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True, env={"COLUMNS": "100", "PATH": ""})
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_import_cli_loads_no_analytics_stack():
    assert _loaded_after("import klaster.cli") == set()


@pytest.mark.parametrize("argv", [["--help"], ["version"], ["kd", "--help"],
                                  ["relatedness", "--help"], ["serve", "--help"],
                                  ["network-metrics", "--help"], ["assess", "--help"]])
def test_help_and_trivial_commands_load_no_analytics_stack(argv):
    code = ("import contextlib, io\nfrom klaster.cli import app\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            f"    try:\n        app({argv!r})\n    except SystemExit:\n        pass")
    assert _loaded_after(code) == set()


def test_lazy_namespaces_export_everything_they_list():
    import importlib

    for pkg in ("assessment", "data", "indicators", "matchmaking", "networks",
                "relatedness", "reports", "spatial", "taxonomy"):
        mod = importlib.import_module(f"klaster.{pkg}")
        for name in mod.__all__:
            assert getattr(mod, name) is not None, (pkg, name)
            assert name in dir(mod)
        with pytest.raises(AttributeError):
            mod.no_such_name  # noqa: B018


def test_function_named_like_its_submodule_stays_the_function():
    # The eager __init__ bound the function over the submodule; importing the submodule
    # first (as klaster.mapping does) must not turn the export into a module.
    code = ("import json\nimport klaster.indicators.concentration, klaster.spatial.delineate\n"
            "from klaster.indicators import concentration\n"
            "from klaster.spatial import delineate\n"
            "import klaster.indicators as ind\n"
            "print(json.dumps([callable(concentration), callable(delineate),"
            " type(ind.concentration).__name__]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert json.loads(out.stdout) == [True, True, "function"]


# Rich's parts that a command pays for only when it uses them: the console (made on first
# print), markdown-it-py / Pygments (rich.markdown) and rich.pretty / attrs
# (rich.traceback), which typer.rich_utils imports for features klaster does not use
# (klaster._rich_help).
RICH_HEAVY = ("rich.console", "rich.table", "markdown_it", "pygments", "rich.pretty", "attr")


def _rich_loaded_after(argv: list[str], prelude: str = "",
                       then: str = "extra = None") -> tuple[set[str], str, object]:
    """Run ``app(argv)`` in a fresh interpreter (``prelude`` before, ``then`` after, which
    sets ``extra``): the heavy Rich modules loaded by the command, its output, extra."""
    code = (f"{prelude}\nimport contextlib, io, json, sys\nfrom klaster.cli import app\n"
            "buf = io.StringIO()\nwith contextlib.redirect_stdout(buf):\n"
            f"    try:\n        app({argv!r})\n    except SystemExit:\n        pass\n"
            f"loaded = sorted(m for m in {RICH_HEAVY!r} if m in sys.modules)\n{then}\n"
            "print(json.dumps([loaded, buf.getvalue(), extra]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={"COLUMNS": "100", "PATH": ""})
    loaded, text, extra = json.loads(out.stdout.strip().splitlines()[-1])
    return set(loaded), text, extra


def test_version_loads_no_rich():
    loaded, text, _ = _rich_loaded_after(["version"])
    assert loaded == set()
    assert text.startswith("klaster ")


@pytest.mark.parametrize("argv", [["--help"], ["kd", "--help"], ["assess", "--help"]])
def test_help_skips_rich_markdown_and_traceback_and_reads_the_same(argv):
    loaded, text, _ = _rich_loaded_after(argv)
    assert not loaded & {"markdown_it", "pygments", "rich.pretty", "attr"}
    # The same help as Typer's own, i.e. with the real rich.markdown / rich.traceback
    # imported first (the hook then leaves them alone).
    _, reference, _ = _rich_loaded_after(argv, "import rich.markdown, rich.traceback")
    assert "Usage: " in text and "--help" in text
    assert text == reference


def test_stand_ins_give_the_real_classes_afterwards():
    _, _, checks = _rich_loaded_after(
        ["--help"], then=(
            "import rich.markdown, rich.traceback, typer.rich_utils as ru\n"
            "extra = [type(ru.Markdown('x')) is rich.markdown.Markdown,"
            " ru.Traceback.from_exception.__self__ is rich.traceback.Traceback,"
            " isinstance(rich.markdown.Markdown('y'), ru.Markdown)]"))
    assert checks == [True, True, True]
