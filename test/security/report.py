"""The suite's result: one row per attack, as a Markdown table."""

from dataclasses import dataclass
from typing import Literal

Verdict = Literal["ok", "FAIL", "not attacked"]
HEADER = ("#", "attack", "RPC", "expected", "got", "verdict")


@dataclass(frozen=True)
class Row:
    attack: str
    rpc: str
    expected: str
    got: str
    verdict: Verdict


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(rows: list[Row]) -> str:
    """The rows as a Markdown table, columns padded to their widths."""
    cells = [list(HEADER)] + [[str(n), row.attack, row.rpc, row.expected, row.got, row.verdict] for n, row in enumerate(rows, start=1)]
    cells = [[_cell(text) for text in line] for line in cells]
    widths = [max(len(line[column]) for line in cells) for column in range(len(HEADER))]

    def render(line: list[str]) -> str:
        return "| " + " | ".join(text.ljust(width) for text, width in zip(line, widths, strict=True)) + " |"

    separator = "| " + " | ".join("-" * width for width in widths) + " |"
    return "\n".join([render(cells[0]), separator, *(render(line) for line in cells[1:])]) + "\n"
