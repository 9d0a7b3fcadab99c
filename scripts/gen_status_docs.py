"""Write the hint table of docs/status.md from fluxops.status.hints.RULES (between the
`<!-- hints:begin -->` and `<!-- hints:end -->` markers). A unit test checks it is current:

python scripts/gen_status_docs.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from fluxops.status.hints import hints_markdown

DOC = Path(__file__).resolve().parents[1] / "docs" / "status.md"
BEGIN, END = "<!-- hints:begin -->", "<!-- hints:end -->"


def main() -> int:
    text = DOC.read_text(encoding="utf-8")
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    if not rest:
        print(f"{DOC} has no {BEGIN} marker", file=sys.stderr)
        return 1
    DOC.write_text(f"{head}{BEGIN}\n{hints_markdown()}{END}{tail}", encoding="utf-8")
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
