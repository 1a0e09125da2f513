"""How large an import may be: the tracker's CSV/JSON and the incidents CSV, from the page and the CLI alike.

Imports are a few hundred rows; a file of many megabytes is a mistake (the wrong file, an unfiltered export), and
reading it whole would hold a page's server thread and memory. Streamlit refuses bigger uploads first
(``server.maxUploadSize`` in ``.streamlit/config.toml``, the same 5 MB); the import code checks again, so the CLI
and any other caller get the same clear refusal.
"""

from __future__ import annotations

MAX_IMPORT_MB = 5
MAX_IMPORT_BYTES = MAX_IMPORT_MB * 1024 * 1024


def import_size_problem(size_bytes: int, name: str = "the file") -> str | None:
    """A message naming the limit when ``size_bytes`` is over it; None when the file may be imported."""
    if size_bytes <= MAX_IMPORT_BYTES:
        return None
    return (
        f"{name} is {size_bytes:,} bytes; imports are limited to {MAX_IMPORT_MB} MB ({MAX_IMPORT_BYTES:,} "
        "bytes): split it into smaller files"
    )


def text_size_problem(text: str, name: str = "the file") -> str | None:
    """``import_size_problem`` for text already read, measured as UTF-8."""
    return import_size_problem(len(text.encode("utf-8", errors="replace")), name)
