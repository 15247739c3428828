"""Nothing lost on the command line: output files are written atomically.

`regfast.cli._files` (temporary file in the destination's directory, then
os.replace) and the guarantees of `fit -o`, `predict -o` and `path --plot`:
the input data file is never overwritten, and a run that fails -- before or
in the middle of writing -- leaves a previous output file as it was, with no
temporary file left behind.
"""

import errno
import json
import os
import stat

import numpy as np
import pytest

from regfast.cli import main
from regfast.cli._data import UsageError
from regfast.cli._files import atomic_open, atomic_write, check_output


@pytest.fixture
def data_csv(tmp_path):
    rng = np.random.RandomState(0)
    X = rng.randn(40, 3)
    y = X @ [1.0, 0.0, -2.0] + 0.1 * rng.randn(40)
    path = tmp_path / "data.csv"
    np.savetxt(path, np.column_stack([X, y]), delimiter=",", header="a,b,c,y", comments="")
    return path


def leftovers(directory, keep):
    """Files in directory other than those named in keep (temporary files)."""
    return sorted(set(os.listdir(directory)) - set(keep))


# ---------------------------------------------------------------- the helper

def test_atomic_write_replaces_and_returns(tmp_path):
    path = tmp_path / "out.txt"
    path.write_text("old")
    assert atomic_write(path, lambda fh: fh.write("new content")) == len("new content")
    assert path.read_text() == "new content"
    assert leftovers(tmp_path, ["out.txt"]) == []
    atomic_write(path, lambda fh: fh.write(b"\x00\x01"), mode="wb")
    assert path.read_bytes() == b"\x00\x01"


def test_failure_mid_write_keeps_the_old_file(tmp_path):
    path = tmp_path / "out.txt"
    path.write_text("previous")

    def half_then_fail(fh):
        fh.write("half of the ")
        fh.flush()                       # on disk in the temporary file already
        raise RuntimeError("simulated crash")

    with pytest.raises(RuntimeError, match="simulated crash"):
        atomic_write(path, half_then_fail)
    assert path.read_text() == "previous"
    assert leftovers(tmp_path, ["out.txt"]) == []


@pytest.mark.parametrize("exc", [KeyboardInterrupt(), OSError(errno.ENOSPC, "No space left")])
def test_interrupt_or_full_disk_keeps_the_old_file(tmp_path, exc):
    path = tmp_path / "out.txt"
    path.write_text("previous")
    with pytest.raises(UsageError if isinstance(exc, OSError) else KeyboardInterrupt) as info:
        with atomic_open(path) as fh:
            fh.write("partial")
            raise exc
    if isinstance(exc, OSError):         # one line naming the file and the reason
        assert str(info.value) == f"{path}: cannot write (No space left)"
    assert path.read_text() == "previous"
    assert leftovers(tmp_path, ["out.txt"]) == []


def test_refuses_an_input_file_under_any_name(tmp_path):
    data = tmp_path / "data.csv"
    data.write_text("a,y\n1,2\n")
    (tmp_path / "sub").mkdir()
    link = tmp_path / "link.csv"
    link.symlink_to(data)
    for same in [data, tmp_path / "sub" / ".." / "data.csv", link]:
        with pytest.raises(UsageError, match="refusing to overwrite the input file"):
            atomic_write(same, lambda fh: fh.write("x"), inputs=[None, data])
    assert data.read_text() == "a,y\n1,2\n"
    with pytest.raises(UsageError, match="is a directory"):
        check_output(tmp_path / "sub")
    check_output(tmp_path / "new.json", inputs=[data])     # a new name is fine


def test_permissions_as_a_plain_write_and_symlinks_followed(tmp_path):
    plain = tmp_path / "plain.txt"
    with open(plain, "w") as fh:
        fh.write("x")
    atomic_write(tmp_path / "atomic.txt", lambda fh: fh.write("x"))
    # mkstemp creates 0o600; the output gets what open() would have given
    assert stat.S_IMODE(os.stat(tmp_path / "atomic.txt").st_mode) == \
        stat.S_IMODE(os.stat(plain).st_mode)
    os.chmod(plain, 0o640)               # an existing file keeps its mode
    atomic_write(plain, lambda fh: fh.write("y"))
    assert stat.S_IMODE(os.stat(plain).st_mode) == 0o640
    link = tmp_path / "link.txt"
    link.symlink_to(plain)
    atomic_write(link, lambda fh: fh.write("through the link"))
    assert link.is_symlink() and plain.read_text() == "through the link"


def test_unwritable_directory_is_one_line(tmp_path):
    path = tmp_path / "no" / "such" / "dir.json"
    with pytest.raises(UsageError, match=r"dir.json: cannot write \(No such file"):
        atomic_write(path, lambda fh: fh.write("x"))


# ---------------------------------------------------------------- the commands

def test_fit_refuses_to_overwrite_its_data(data_csv, capsys):
    before = data_csv.read_bytes()
    for out in [data_csv, data_csv.parent / "." / data_csv.name]:
        code = main(["fit", str(data_csv), "--penalty", "l1", "--alpha", "0.1", "-o", str(out)])
        _, err = capsys.readouterr()
        assert code == 2
        assert err == (f"regfast: error: {out}: refusing to overwrite the input file "
                       f"{data_csv}; choose another output file\n")
    assert data_csv.read_bytes() == before


def test_fit_failing_mid_write_keeps_the_previous_model(data_csv, monkeypatch, capsys):
    model = data_csv.parent / "model.json"
    assert main(["fit", str(data_csv), "--penalty", "l1", "--alpha", "0.1", "-o",
                 str(model), "-q"]) == 0
    previous = model.read_bytes()
    assert json.loads(previous)["alpha"] == 0.1

    def dump_half_then_fail(obj, fh, **kwargs):      # a full disk half-way through
        fh.write(json.dumps(obj, **kwargs)[:100])
        fh.flush()
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("regfast.cli._commands.json.dump", dump_half_then_fail)
    code = main(["fit", str(data_csv), "--penalty", "l2", "--alpha", "5", "-o", str(model),
                 "-q"])
    _, err = capsys.readouterr()
    assert code == 2
    assert err == f"regfast: error: {model}: cannot write (No space left on device)\n"
    assert model.read_bytes() == previous
    assert leftovers(data_csv.parent, ["data.csv", "model.json"]) == []


def test_fit_failing_before_writing_keeps_the_previous_model(data_csv, capsys):
    model = data_csv.parent / "model.json"
    model.write_text('{"an": "older model"}')
    bad = data_csv.parent / "bad.csv"
    bad.write_text("a,y\n1,2\n3,nan\n")
    for args in [[str(bad)], [str(data_csv), "--max-iter", "0"],
                 [str(data_csv.parent / "missing.csv")]]:
        assert main(["fit", *args, "--penalty", "l1", "--alpha", "1", "-o", str(model)]) == 2
    capsys.readouterr()
    assert model.read_text() == '{"an": "older model"}'
    assert leftovers(data_csv.parent, ["data.csv", "model.json", "bad.csv"]) == []


def test_predict_and_plot_refuse_their_inputs(data_csv, capsys):
    model = data_csv.parent / "model.json"
    assert main(["fit", str(data_csv), "--penalty", "l1", "--alpha", "0.1", "-o",
                 str(model), "-q"]) == 0
    saved = model.read_bytes(), data_csv.read_bytes()
    for out in [model, data_csv]:
        assert main(["predict", str(model), str(data_csv), "-o", str(out)]) == 2
    assert main(["path", str(data_csv), "--alpha", "1", "--plot", str(data_csv)]) == 2
    err = capsys.readouterr()[1]
    assert err.count("refusing to overwrite the input file") == 3
    assert (model.read_bytes(), data_csv.read_bytes()) == saved
