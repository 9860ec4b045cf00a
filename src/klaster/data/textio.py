"""Reading delimited text tables that people actually send: any common encoding, any
common delimiter, gzip-compressed or not, with errors that name file, line and field.

Every text loader (generic tables, CBP extracts and bulk files) reads through
:func:`read_text_table`, which

1. refuses an empty file and a file that is not text (binary bytes, a spreadsheet saved
   under a ``.csv`` name) with a message naming the file;
2. decompresses ``.gz`` input as a stream, stopping with an error past
   :data:`MAX_DECOMPRESSED_BYTES` (a small "zip bomb" cannot take the machine's memory);
3. detects the encoding: a byte-order mark (UTF-8, UTF-16, UTF-32), else strict UTF-8,
   else the most probable code page by charset-normalizer (e.g. cp1251 for Belarusian or
   Russian names); the caller may name the encoding instead (``--encoding``);
4. detects the delimiter from the header line (``,`` ``;`` tab ``|``);
5. checks the structure with Python's ``csv`` module in one streamed pass (every record
   has as many fields as the header; no quote left open) and remembers the line on which
   each record starts, so later errors name the line a person sees in an editor;
6. parses the values with Polars, all as text (codes keep their leading zeros).

Non-UTF-8 or compressed input is re-written once as UTF-8 to a temporary file that is
removed on every path (success, error, KeyboardInterrupt).
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import os
import re
import tempfile
import zlib
from array import array
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import polars as pl

from klaster.data.validate import LINE_COL
from klaster.errors import DataError

#: Largest decompressed size of a ``.gz`` input (bytes). 2 GiB holds ~40 M rows of a
#: statistics table; override with the environment variable KLASTER_MAX_DECOMPRESSED_BYTES.
MAX_DECOMPRESSED_BYTES = int(os.environ.get("KLASTER_MAX_DECOMPRESSED_BYTES", str(2 << 30)))
SAMPLE_BYTES = 64 * 1024
DELIMITERS = (",", ";", "\t", "|")
_DELIM_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)
ENCODING_HINT = "pass the encoding, e.g. --encoding cp1251 (Cyrillic) or cp1250 (Polish)"


@dataclass
class TextTable:
    """A parsed text table: every column as text plus LINE_COL (line of each record)."""

    frame: pl.DataFrame
    encoding: str
    delimiter: str
    notes: list[str] = field(default_factory=list)


class _Bounded(io.RawIOBase):
    """A read-only stream that raises DataError once more than ``limit`` bytes were read."""

    def __init__(self, inner: BinaryIO, limit: int, path: Path) -> None:
        self.inner, self.limit, self.path, self.count = inner, limit, path, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.inner.read(len(buffer))
        self.count += len(data)
        if self.count > self.limit:
            raise DataError(
                f"decompressed size exceeds the limit of {self.limit:,} bytes "
                "(KLASTER_MAX_DECOMPRESSED_BYTES); decompress and check the file",
                file=self.path)
        buffer[: len(data)] = data
        return len(data)


def is_gzip(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(2) == b"\x1f\x8b"


@contextmanager
def open_bytes(path: str | Path, *, limit: int | None = None) -> Iterator[BinaryIO]:
    """Open ``path`` for binary reading, decompressing gzip as a stream, bounded by
    ``limit`` decompressed bytes (default MAX_DECOMPRESSED_BYTES)."""
    path = Path(path)
    if not is_gzip(path):
        with path.open("rb") as fh:
            yield fh
        return
    limit = MAX_DECOMPRESSED_BYTES if limit is None else limit
    with gzip.open(path, "rb") as gz:
        yield io.BufferedReader(_Bounded(gz, limit, path), buffer_size=1 << 20)


def _read_sample(path: Path, limit: int | None) -> bytes:
    try:
        with open_bytes(path, limit=limit) as fh:
            return fh.read(SAMPLE_BYTES)
    except (OSError, EOFError, zlib.error) as exc:
        raise DataError(f"cannot decompress the file: {exc}", file=path) from None


def detect_encoding(sample: bytes, path: Path) -> tuple[str, str | None]:
    """(encoding, note) of a text sample; DataError when it is not text.

    The note is set when the encoding was guessed (not UTF-8, no byte-order mark), so that
    the caller can tell the user what was assumed.
    """
    for bom, name in _BOMS:
        if sample.startswith(bom):
            return name, None
    try:
        sample.decode("utf-8")
        if b"\x00" not in sample:
            return "utf-8", None
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by the sample's end is still UTF-8.
        if exc.start >= len(sample) - 3 and b"\x00" not in sample:
            try:
                sample[: exc.start].decode("utf-8")
                return "utf-8", None
            except UnicodeDecodeError:
                pass
    from charset_normalizer import from_bytes

    results = from_bytes(sample)
    best = results.best()
    if best is None or (b"\x00" in sample and "16" not in best.encoding
                        and "32" not in best.encoding):
        raise DataError(
            "this is not a text table (binary content, e.g. a spreadsheet or archive "
            "saved under a text name); save it as CSV (UTF-8) or use .xlsx/.parquet", file=path)
    name = codecs.lookup(best.encoding).name
    # Short files of names are ambiguous between 8-bit code pages (all decode without
    # "chaos"). The platform's files come from Polish, Belarusian and Russian offices, so
    # among near-equal candidates the Windows code pages of those languages win.
    near = {codecs.lookup(m.encoding).name for m in results if m.chaos <= best.chaos + 0.1}
    if "16" not in name and "32" not in name:
        if "cp1251" in near and _looks_cyrillic(sample):
            name = "cp1251"
        elif "cp1250" in near and not _looks_cyrillic(sample):
            name = "cp1250"
    return name, (f"read as {name} (detected: the file is not UTF-8); if names look "
                  f"wrong, {ENCODING_HINT}")


def _looks_cyrillic(sample: bytes) -> bool:
    """Whether 8-bit text is Cyrillic rather than Latin with diacritics.

    charset-normalizer ranks cp1250 (Polish) above cp1251 on short files of a few names,
    since both decode without "chaos". The words tell them apart: a Cyrillic word in a
    single-byte code page is made of 8-bit letters only, a Polish word has one or two
    (ą, ę, ó, ś, ł, ż ... are ~7 % of the letters of Polish text). So: among the bytes of
    the words that hold any 8-bit byte, more than half 8-bit -> Cyrillic (cp1251, the
    code page of Belarusian and Russian Windows)."""
    words = [w for w in re.split(rb"[\x00-\x40\x5b-\x60\x7b-\x7f]+", sample)
             if any(b >= 0x80 for b in w)]
    total = sum(len(w) for w in words)
    high = sum(1 for w in words for b in w if b >= 0x80)
    return total > 0 and high / total > 0.5


def _split_header(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line], delimiter=delimiter), [])


def detect_delimiter(header: str) -> str:
    """The delimiter that splits the header line into the most fields (comma on a tie)."""
    best, best_n = ",", 1
    for d in DELIMITERS:
        n = len(_split_header(header, d))
        if n > best_n:
            best, best_n = d, n
    return best


def _first_line(sample: bytes, encoding: str) -> str:
    text = sample.decode(encoding, errors="replace")
    return text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""


def _bad_byte_line(path: Path, encoding: str, limit: int | None) -> tuple[int, str]:
    """(line, byte) of the first line that does not decode (exact, by binary lines)."""
    decoder_name = "utf-8" if encoding == "utf-8-sig" else encoding
    with open_bytes(path, limit=limit) as fh:
        for n, raw in enumerate(fh, start=1):
            try:
                raw.decode(decoder_name)
            except UnicodeDecodeError as exc:
                return n, f"0x{raw[exc.start]:02x}"
    return 0, "?"


def read_text_table(
    path: str | Path, *, encoding: str | None = None, delimiter: str | None = None,
    limit: int | None = None,
) -> TextTable:
    """Read a delimited text file (see the module docstring); every column is text.

    The returned frame has LINE_COL (Int64): the line on which each record starts
    (header = line 1). Raises DataError naming file and line for: an empty file, a file
    that is not text, bytes invalid in the encoding, a record with more or fewer fields
    than the header, a quote left open, a compressed file over the limit.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError("file not found", file=path)
    if path.stat().st_size == 0:
        raise DataError("the file is empty", file=path)
    sample = _read_sample(path, limit)
    notes: list[str] = []
    if encoding is None:
        encoding, note = detect_encoding(sample, path)
        if note:
            notes.append(note)
    else:
        try:
            encoding = codecs.lookup(encoding).name
        except LookupError:
            raise DataError(f"unknown encoding {encoding!r}", file=path) from None
        if encoding == "utf-8" and sample.startswith(codecs.BOM_UTF8):
            encoding = "utf-8-sig"
    header = _first_line(sample, encoding)
    if not header.strip():
        raise DataError("the file is empty (no header line)", file=path, line=1)
    if delimiter is None:
        delimiter = detect_delimiter(header)
    if delimiter != ",":
        notes.append(f"delimiter: {_DELIM_NAMES.get(delimiter, repr(delimiter))}")
    direct = encoding in ("utf-8", "utf-8-sig") and not is_gzip(path)
    with tempfile.TemporaryDirectory(prefix="klaster-read-") as tmpdir:
        normalised = Path(tmpdir) / "table.csv"
        lines, columns, irregular = _structure_pass(
            path, encoding, delimiter, None if direct else normalised, limit)
        if lines is None:
            raise DataError("the table is empty (no data rows)", file=path, line=1)
        frame = None
        if direct and not irregular:
            frame = _parse(path, delimiter, columns, len(lines))
        if frame is None:
            if direct:  # polars and the csv module disagree: parse a normalised copy
                _structure_pass(path, encoding, delimiter, normalised, limit)
            frame = _parse(normalised, ",", columns, len(lines))
        if frame is None:
            raise DataError("cannot parse the table (irregular quoting)", file=path)
    frame = frame.with_columns(pl.Series(LINE_COL, lines, dtype=pl.Int64))
    return TextTable(frame=frame, encoding=encoding, delimiter=delimiter, notes=notes)


def _structure_pass(path: Path, encoding: str, delimiter: str, copy_to: Path | None,
                    limit: int | None) -> tuple[array | None, list[str], bool]:
    """Stream the file once through ``csv``: check field counts and quotes, collect the
    start line of every record; optionally write a normalised UTF-8 comma copy.
    Returns (record start lines or None when there are no data rows, header, irregular):
    irregular = blank lines or multi-line records, which Polars counts differently."""
    lines = array("q")
    irregular = False
    out = copy_to.open("w", encoding="utf-8", newline="") if copy_to is not None else None
    writer = csv.writer(out) if out is not None else None
    try:
        with open_bytes(path, limit=limit) as raw, io.TextIOWrapper(
                raw, encoding=encoding, newline="") as text:
            reader = csv.reader(text, delimiter=delimiter, strict=True)
            prev = 0
            try:
                header = next(reader)
                prev = reader.line_num
                if writer:
                    writer.writerow(header)
                width = len(header)
                for row in reader:
                    start, prev = prev + 1, reader.line_num
                    if not row:
                        irregular = True
                        continue
                    if prev != start:
                        irregular = True
                    if len(row) != width:
                        raise DataError(
                            f"the record has {len(row)} field(s), the header (line 1) has "
                            f"{width}; delimiter: {_DELIM_NAMES.get(delimiter, delimiter)}",
                            file=path, line=start)
                    lines.append(start)
                    if writer:
                        writer.writerow(row)
            except csv.Error as exc:
                raise DataError(f"malformed CSV ({exc}): a quote is not closed or is "
                                "followed by text", file=path, line=prev + 1) from None
            except UnicodeDecodeError:
                line, byte = _bad_byte_line(path, encoding, limit)
                raise DataError(f"byte {byte} is not valid {encoding}; {ENCODING_HINT}",
                                file=path, line=line or None) from None
    except (OSError, EOFError, zlib.error) as exc:
        raise DataError(f"cannot read the file: {exc}", file=path) from None
    finally:
        if out is not None:
            out.close()
    if len(set(header)) != len(header):
        dup = next(c for c in header if header.count(c) > 1)
        raise DataError(f"column {dup!r} appears twice in the header", file=path, line=1,
                        field=dup)
    return (lines if len(lines) else None), header, irregular


def _parse(path: Path, delimiter: str, columns: list[str], rows: int) -> pl.DataFrame | None:
    """Parse with Polars (all columns as text); None when it does not find ``rows``
    records of ``columns`` (then the caller parses a normalised copy)."""
    try:
        frame = pl.read_csv(path, separator=delimiter, infer_schema=False,
                            empty_string_is_null=False, encoding="utf8")
    except pl.exceptions.PolarsError:
        return None
    if frame.width != len(columns):
        return None
    frame.columns = columns
    if frame.height != rows:
        # Blank lines become all-null rows in Polars; real empty fields are "" here.
        frame = frame.filter(~pl.all_horizontal(pl.all().is_null()))
        if frame.height != rows:
            return None
    return frame.with_columns(pl.all().replace("", None))


def guard_read(source, read):
    """Run ``read()``; whatever a library raises on unreadable input (Polars, the file
    system, decoders) becomes a DataError naming ``source`` with the first line of the
    library's message (Polars appends pages of hints). klaster's own errors pass."""
    from klaster.errors import KlasterError

    try:
        return read()
    except KlasterError:
        raise
    except (pl.exceptions.PolarsError, OSError, ValueError, UnicodeError, EOFError,
            LookupError, TypeError, OverflowError, RecursionError, zlib.error,
            csv.Error) as exc:
        lines = str(exc).strip().splitlines()
        raise DataError(f"cannot read the file ({lines[0] if lines else type(exc).__name__})",
                        file=source) from None
