"""Bounded reading of (possibly gzip-compressed) text files, block by block.

Loaders that must not hold a whole file in memory read it through
:func:`iter_line_blocks`: the file is decompressed as a stream (``gzip.GzipFile.read``
returns at most the requested number of bytes, so one step never inflates more than
one block), and handed over in blocks of whole lines. Three stated limits refuse
hostile or broken input with a :class:`~klaster.errors.DataError` naming the file,
before it can exhaust memory or time:

* ``max_bytes`` — total decompressed size (default :data:`MAX_DECOMPRESSED_BYTES`,
  8 GiB; Eurostat's largest regional TSV files unpack to a few hundred MB);
* ``max_ratio`` — decompressed / compressed bytes, checked once more than
  :data:`RATIO_CHECK_AFTER` bytes were inflated (default :data:`MAX_RATIO`, 250:1;
  Eurostat TSV files compress 4:1 to 60:1, a zero-filled "gzip bomb" about 1000:1);
* ``max_line`` — the longest line (default :data:`MAX_LINE_BYTES`, 1 MiB), so a file
  without line breaks cannot grow one line without bound.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from pathlib import Path

from klaster.errors import DataError

MAX_DECOMPRESSED_BYTES = 8 * 2**30
MAX_RATIO = 250.0
RATIO_CHECK_AFTER = 64 * 2**20
MAX_LINE_BYTES = 2**20
BLOCK_BYTES = 8 * 2**20


def _mib(n: float) -> str:
    return f"{n / 2**20:,.0f} MiB"


def iter_line_blocks(
    path: str | Path,
    *,
    block_bytes: int = BLOCK_BYTES,
    max_bytes: int = MAX_DECOMPRESSED_BYTES,
    max_ratio: float = MAX_RATIO,
    max_line: int = MAX_LINE_BYTES,
) -> Iterator[tuple[int, bytes]]:
    """Yield ``(first_line_number, block)`` for successive blocks of whole lines.

    ``block`` holds complete lines (each ending in ``\\n`` except possibly the file's
    last) of about ``block_bytes`` bytes; line numbers are 1-based. ``.gz`` files (by
    suffix or by their magic bytes) are decompressed as a stream. Raises DataError when
    a limit (see the module docstring) is passed or the gzip stream is corrupt.
    """
    path = Path(path)
    try:
        raw = path.open("rb")
    except OSError as exc:
        raise DataError(f"cannot open: {exc.strerror or exc}", file=path) from None
    with raw:
        magic = raw.read(2)
        raw.seek(0)
        gz = magic == b"\x1f\x8b"
        stream = gzip.GzipFile(fileobj=raw, mode="rb") if gz else raw
        total = 0
        line_no = 1
        carry = b""
        while True:
            try:
                chunk = stream.read(block_bytes)
            except (OSError, EOFError, zlib.error) as exc:
                raise DataError(f"corrupt or truncated gzip data after {total:,} bytes "
                                f"({exc})", file=path, line=line_no) from None
            if not chunk:
                break
            total += len(chunk)
            if total > max_bytes:
                raise DataError(
                    f"file unpacks to more than the limit of {_mib(max_bytes)} (max_bytes); "
                    "refused as a possible decompression bomb", file=path)
            if gz and total > RATIO_CHECK_AFTER:
                packed = max(raw.tell(), 1)
                if total / packed > max_ratio:
                    raise DataError(
                        f"{_mib(packed)} of gzip data unpacked to more than {_mib(total)} "
                        f"(ratio above the limit {max_ratio:g}:1, max_ratio); refused as a "
                        "possible decompression bomb", file=path)
            data = carry + chunk
            cut = data.rfind(b"\n")
            if cut < 0:
                carry = data
                if len(carry) > max_line:
                    raise DataError(f"line longer than the limit of {_mib(max_line)} "
                                    "(max_line); not a table of lines", file=path,
                                    line=line_no)
                continue
            block, carry = data[: cut + 1], data[cut + 1:]
            if len(carry) > max_line:
                raise DataError(f"line longer than the limit of {_mib(max_line)} "
                                "(max_line); not a table of lines", file=path,
                                line=line_no + block.count(b"\n"))
            yield line_no, block
            line_no += block.count(b"\n")
        if carry:
            yield line_no, carry
