"""Count a CSV file's non-empty lines while its bytes are hashed, so that an import can tell it was read whole.

DuckDB's reader can read fewer rows than a file has lines without an error (a last line of empty cells is
dropped). `LineCounter` counts the lines holding anything but a carriage return (LF or CRLF line ends), and
`validate` refuses a file whose parse yields fewer rows than that, less the header. A quoted cell may hold a
line break, so for a file with a `"` lines are not rows and the comparison is left out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LF, CR, QUOTE = 10, 13, 34


@dataclass
class LineCounter:
    """Running count of non-empty lines over consecutive blocks of a file's bytes."""

    lines: int = 0
    quoted: bool = False
    _open_line_has_content: bool = False

    def update(self, block: bytes) -> None:
        """Count the lines that end in `block`; a line running on into the next block is counted there."""
        data = np.frombuffer(block, dtype=np.uint8)
        self.quoted = self.quoted or bool((data == QUOTE).any())
        is_end = data == LF
        content = np.concatenate(([0], np.cumsum(~is_end & (data != CR))))
        ends = np.flatnonzero(is_end)
        if ends.size:
            starts = np.concatenate(([0], ends[:-1] + 1))
            filled = content[ends] > content[starts]
            filled[0] |= self._open_line_has_content
            self.lines += int(filled.sum())
            self._open_line_has_content = bool(content[-1] > content[ends[-1] + 1])
        else:
            self._open_line_has_content |= bool(content[-1] > 0)

    def total(self) -> int:
        """Return the non-empty lines of the whole file, a last line without LF included."""
        return self.lines + int(self._open_line_has_content)
