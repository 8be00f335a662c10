"""Count a CSV file's non-empty lines while its bytes are hashed, so that an import can tell it was read whole.

DuckDB's reader can read fewer rows than a file has lines without an error (a last line of empty cells is
dropped). `LineCounter` counts the lines holding anything but a lone carriage return (LF or CRLF line ends), and
`validate` refuses a file whose parse yields fewer rows than that, less the header. A quoted cell may hold a
line break, so for a file with a `"` lines are not rows and the comparison is left out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LF, CR, QUOTE, SPACE, COMMA = 10, 13, 34, 32, 44
#: The bytes a cell starts after or ends before: a space beside one may start or end a cell.
_CELL_EDGES = np.array([COMMA, LF, CR, QUOTE], dtype=np.uint8)
#: Two line feeds side by side, read as one 16-bit number (the same in either byte order).
_TWO_LINE_FEEDS = np.uint16(LF << 8 | LF)


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
        first_end = block.find(b"\n")
        if first_end < 0:
            self._extend(block)
        elif _may_hold_empty_line(block):
            self._count_each(block)
        else:
            # No empty line starts inside the block: every line but the first, which may continue the line
            # left open by the block before, holds something; only the line ends are counted.
            first_length = self._open_length + first_end
            first_byte = self._open_first if self._open_length else (block[0] if first_end else -1)
            ends = int(np.count_nonzero(np.frombuffer(block, dtype=np.uint8) == LF))
            self.lines += int(not _empty(first_length, first_byte)) + ends - 1
            self._open_length, self._open_first = 0, -1
            self._extend(block[block.rfind(b"\n") + 1 :])

    def _count_each(self, block: bytes) -> None:
        """Count a block's lines one by one (it holds an empty line)."""
        data = np.frombuffer(block, dtype=np.uint8)
        ends = np.flatnonzero(data == LF)
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


@dataclass
class EdgeSpaces:
    """Whether any cell of a CSV file could start or end with a space, over consecutive blocks of its bytes.

    `found` turns true at a space beside a comma, a line break, a quote, the file's start or a block's end, and
    at any byte that is not ASCII (a Unicode space, which DuckDB's trim also removes). While it is false, trimming
    changes no cell of the file. A space between two other characters (`liver s7`) is never at a cell's end.
    """

    found: bool = False
    _last: int = LF  # the byte before the next block; the file's start counts as a line break

    def update(self, block: bytes) -> None:
        """Look at the next block of the file."""
        if self.found or not block:
            return
        if not block.isascii():
            self.found = True
            return
        if b" " in block:
            data = np.frombuffer(block, dtype=np.uint8)
            at = np.flatnonzero(data == SPACE)
            before = np.where(at > 0, data[at - 1], self._last)
            after = data[np.minimum(at + 1, data.size - 1)]
            at_edge = np.isin(before, _CELL_EDGES) | np.isin(after, _CELL_EDGES)
            # A space ending the block may end the file or a cell whose next byte is in the next block.
            self.found = bool(at_edge.any()) or int(at[-1]) == data.size - 1
        self._last = block[-1]


def _may_hold_empty_line(block: bytes) -> bool:
    """Whether an empty line may start inside `block`: it holds a carriage return (a blank CRLF line is one), or
    two line feeds in a row, looked for as byte pairs at even and at odd offsets (a search for `\\n\\n` in bytes
    where every line ends in `\\n` is several times slower)."""
    if b"\r" in block:
        return True
    data = np.frombuffer(block, dtype=np.uint8)
    even = data[: data.size // 2 * 2].view(np.uint16)
    odd = data[1 : 1 + (data.size - 1) // 2 * 2].view(np.uint16)
    return bool((even == _TWO_LINE_FEEDS).any() or (odd == _TWO_LINE_FEEDS).any())


def _empty(length: int, first: int) -> bool:
    return length == 0 or (length == 1 and first == CR)
