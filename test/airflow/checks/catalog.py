"""The workflow catalog as the DAGs read it: a clear error when it cannot be read, copies for every
reader, and the one text folding (as lib/fold-text.ts) its names are matched with."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from .support import CATALOG, DAGS, check


@check
def a_catalog_that_cannot_be_read_says_so_clearly():
    for content, expected in (("{not json", "is not valid JSON"), (None, "cannot be read")):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "catalog.json"
            if content is None:
                path.mkdir()  # a folder where the file should be: an OSError other than not found
            else:
                path.write_text(content, encoding="utf-8")
            done = subprocess.run(
                [sys.executable, "-c", "from omnibot_common.catalog import dag_ids; dag_ids()"],
                cwd=str(DAGS),
                env={**os.environ, "OMNIBOT_WORKFLOW_CATALOG": str(path)},
                capture_output=True,
                text=True,
                timeout=60,
            )
        assert done.returncode != 0 and expected in done.stderr and "RuntimeError" in done.stderr, done.stderr[-1000:]


@check
def the_catalog_hands_out_copies():
    from omnibot_common import catalog

    catalog.constants("listar_ot_pendientes")["limit"] = 0
    catalog.catalog()["workflows"].clear()
    catalog.cmms_constants()["reportedFailure"].clear()
    assert catalog.constants("listar_ot_pendientes")["limit"] == CATALOG["workflows"]["listar_ot_pendientes"]["constants"]["limit"]
    assert catalog.dag_ids() == list(CATALOG["workflows"])
    assert catalog.cmms_constants() == CATALOG["cmms"]


@check
def text_is_folded_as_lib_fold_text_does():
    from omnibot_common.fold_text import fold_text

    # What foldText (lib/fold-text.ts) gives for the same texts.
    assert fold_text("Camión") == "camion"
    assert fold_text("  CRÍTICA ") == "critica"
    assert fold_text("En\tProgreso \n ya") == "en progreso ya"
    assert fold_text("\u00a0Ñandú\ufeff") == "nandu"  # no-break space and BOM are JavaScript whitespace
    assert fold_text("Straße") == "straße"  # lower-cased, not case-folded (toLowerCase keeps ß)
    assert fold_text("ﬁ") == "ﬁ"  # NFD, not NFKD: a ligature stays
    assert fold_text("") == ""
