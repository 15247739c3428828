"""Output files of the command line, written so that nothing is lost.

`atomic_write` (and the context manager `atomic_open` under it) writes to a
temporary file in the destination's directory and renames it over the
destination with `os.replace` only once the whole content is written: a reader
sees the old file or the new one, never half of one, and a run that fails
(an exception, Ctrl-C, a full disk) leaves a previous output file as it was.
`check_output` refuses a destination that is one of the run's input files;
call it before a long computation so that the refusal comes first.
"""

import contextlib
import os
import tempfile

from ._data import UsageError


def _same_file(a, b):
    """True when paths a and b name the same file (hard links and symlinks included)."""
    try:
        return os.path.samefile(a, b)
    except OSError:                      # one of them does not exist (yet)
        return os.path.realpath(a) == os.path.realpath(b)


def check_output(path, inputs=()):
    """Refuse an output path that would overwrite an input or is not a file.

    Parameters
    ----------
    path : str or os.PathLike
        Where the output will be written.
    inputs : iterable of str or os.PathLike or None, optional
        The files the run reads (data, model); ``None`` entries are ignored.

    Raises
    ------
    UsageError
        If `path` is one of `inputs`, or an existing directory.
    """
    path = os.fspath(path)
    for source in inputs:
        if source is not None and _same_file(path, os.fspath(source)):
            raise UsageError(f"{path}: refusing to overwrite the input file {os.fspath(source)}"
                             "; choose another output file")
    if os.path.isdir(path):
        raise UsageError(f"{path}: is a directory, expected an output file name")


def _new_file_mode(path):
    """Permission bits the output should get: the old file's, else 0o666 minus the umask."""
    try:
        return os.stat(path).st_mode & 0o7777
    except OSError:
        umask = os.umask(0)              # only way to read it; set straight back
        os.umask(umask)
        return 0o666 & ~umask


@contextlib.contextmanager
def atomic_open(path, mode="w", *, inputs=(), encoding="utf-8"):
    """Open a temporary file that replaces `path` when the ``with`` block succeeds.

    Parameters
    ----------
    path : str or os.PathLike
        The destination.  A symlink is followed: the file it points to is replaced.
    mode : {'w', 'wb'}, optional
        Text (default) or binary.
    inputs : iterable of str or os.PathLike or None, optional
        Input files that `path` must not be (see `check_output`).
    encoding : str, optional
        Encoding in text mode (default UTF-8).

    Yields
    ------
    file object
        The open temporary file, in the destination's directory (so the final
        `os.replace` is a rename within one file system, hence atomic).

    Raises
    ------
    UsageError
        If `path` is an input or a directory, or cannot be written (the
        OS's reason is named).  On any exception raised inside the block the
        temporary file is removed and `path` is left untouched.
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"mode must be 'w' or 'wb', got {mode!r}")
    path = os.fspath(path)
    check_output(path, inputs)
    target = os.path.realpath(path)
    directory = os.path.dirname(target)
    try:
        fd, tmp = tempfile.mkstemp(dir=directory,
                                   prefix=f".{os.path.basename(target)}.", suffix=".tmp")
    except OSError as exc:
        raise UsageError(f"{path}: cannot write ({exc.strerror})") from None
    try:
        with os.fdopen(fd, mode, **({"encoding": encoding} if mode == "w" else {})) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())        # the data is on disk before the name points at it
        os.chmod(tmp, _new_file_mode(target))    # mkstemp makes 0o600
        os.replace(tmp, target)
    except BaseException as exc:         # Ctrl-C too: never leave the temporary file
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError) and not isinstance(exc, UsageError):
            raise UsageError(f"{path}: cannot write ({exc.strerror or exc})") from None
        raise


def atomic_write(path, write_fn, *, inputs=(), mode="w", encoding="utf-8"):
    """Write a file atomically: all of `write_fn`'s output, or the old file untouched.

    Parameters
    ----------
    path : str or os.PathLike
        The destination (see `atomic_open`).
    write_fn : callable
        Called once with the open temporary file; writes the whole content.
        Whatever it raises propagates, and `path` is left as it was.
    inputs : iterable of str or os.PathLike or None, optional
        Input files of the run that `path` must not overwrite.
    mode : {'w', 'wb'}, optional
        Text (default) or binary.
    encoding : str, optional
        Encoding in text mode (default UTF-8).

    Returns
    -------
    object
        What `write_fn` returned.

    Raises
    ------
    UsageError
        If `path` is an input or a directory, or cannot be written.

    Examples
    --------
    >>> atomic_write("model.json", lambda fh: json.dump(model, fh),
    ...              inputs=[args.data])                                # doctest: +SKIP
    """
    with atomic_open(path, mode, inputs=inputs, encoding=encoding) as fh:
        return write_fn(fh)
