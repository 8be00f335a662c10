"""Count a CSV file's non-empty lines while its bytes are hashed, so that an import can tell it was read whole.

DuckDB's reader can read fewer rows than a file has lines without an error (a last line of empty cells is
dropped). `LineCounter` counts the lines holding anything but a lone carriage return (LF or CRLF line ends), and
`validate` refuses a file whose parse yields fewer rows than that, less the header. A quoted cell may hold a
line break, so for a file with a `"` lines are not rows and the comparison is left out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LF, CR, QUOTE = 10, 13, 34


@dataclass
class LineCounter:
    """Running count of non-empty lines over consecutive blocks of a file's bytes.

    A line is empty when it holds nothing or a lone carriage return (a blank CRLF line). Only the line ends are
    looked at, so counting costs about as much as the SHA-256 computed beside it.
    """

    lines: int = 0
    quoted: bool = False
    _open_length: int = 0  # bytes of the line not yet ended
    _open_first: int = -1  # its first byte

    def update(self, block: bytes) -> None:
        """Count the lines that end in `block`; a line running on into the next block is counted there."""
        self.quoted = self.quoted or b'"' in block
        data = np.frombuffer(block, dtype=np.uint8)
        ends = np.flatnonzero(data == LF)
        if ends.size == 0:
            self._extend(block)
            return
        starts = np.concatenate(([0], ends[:-1] + 1))
        lengths = ends - starts
        first_length = self._open_length + int(lengths[0])
        first_byte = self._open_first if self._open_length else (block[0] if lengths[0] else -1)
        self.lines += int(not _empty(first_length, first_byte))
        rest, rest_starts = lengths[1:], starts[1:]
        blank = (rest == 0) | ((rest == 1) & (data[np.minimum(rest_starts, len(block) - 1)] == CR))
        self.lines += int(rest.size - blank.sum())
        self._open_length, self._open_first = 0, -1
        self._extend(block[int(ends[-1]) + 1 :])

    def _extend(self, tail: bytes) -> None:
        if tail and not self._open_length:
            self._open_first = tail[0]
        self._open_length += len(tail)

    def total(self) -> int:
        """Return the non-empty lines of the whole file, a last line without LF included."""
        return self.lines + int(not _empty(self._open_length, self._open_first))


def _empty(length: int, first: int) -> bool:
    return length == 0 or (length == 1 and first == CR)
