"""What refusing a hostile file costs, beside importing a valid file of the same size.

    python benchmarks/refusals.py [--rows 2000000] [--out benchmarks/REFUSALS.md] [--case "valid CSV" ...]

Each case is one whole `redchain load FILE` process on an empty store, timed and its
peak resident memory read by /usr/bin/time (GNU time, ``%e`` and ``%M``); the re-import
cases load the valid CSV into their store first (not measured), then measure loading
another file of the same records into that full store: the same records saved again (two
rows swapped: not a repeat, ``loaders.unchanged``, so every record is read, checked and
compared) and one enterprise's party members changed (its coverage state changes too, so
the snapshot stores a delta against the previous state). The limits the issue sets: a
refusal ≤ 1 GB and ≤ 2× the time of a valid import of the same size; a valid CSV of
2·10⁶ rows imports in ≤ 1.2 GB, into an empty store or a full one, still one atomic
write. Not part of the tests (numbers, not asserts); the messages themselves are tested
in tests/integration. ``--case`` runs only the cases named (repeatable) and rewrites only
their rows of ``--out``, keeping the others as they were measured.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # the hostile workbook the tests build

from fixtures.hostile import write_inline_xlsx  # noqa: E402
from loaders.uscc import make_uscc  # noqa: E402

# The re-imports of the valid CSV into a store that holds it already (see the module's text).
RESAVED = "valid CSV again, same records saved again, into the full store"
CHANGED = "valid CSV again, one row's party members changed, into the full store"
REIMPORTS = (RESAVED, CHANGED)

HEADER = "id,name,kind,park,street,employees,party_members,above_scale,leading,in_base,status\n"


@dataclass
class Run:
    case: str
    seconds: float
    peak_mb: float
    exit_code: int
    said: str
    peer: str = ""


def _code(i: int) -> str:
    return make_uscc(f"91430104{i:09d}")


def valid_csv(path: Path, rows: int, *, last_two_swapped: bool = False, members_changed: int | None = None) -> Path:
    """``rows`` enterprises; with ``last_two_swapped`` the same records in other bytes, with
    ``members_changed`` (a row number from 0) that enterprise's party members changed
    across a remedy's threshold (0 -> 3, else -> 0)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    order = chain(range(rows - 2), (rows - 1, rows - 2)) if last_two_swapped else range(rows)
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER)
        for i in order:
            members = i % 5 if i != members_changed else (0 if i % 5 else 3)
            out.write(f"{_code(i)},测试企业{i}有限公司,企业,第{i % 7}产业园,第{i % 13}街道,{i % 300},{members},否,否,是,在营\n")
    return path


def _json_rows(rows: int, wrong: bool):
    for i in range(rows):
        if wrong:  # every cell the wrong type: a number for a code, a list for a count, text for a flag
            yield {"id": i, "name": ["x"], "employees": "many", "above_scale": "maybe"}
        else:
            yield {"id": _code(i), "name": f"测试企业{i}有限公司", "employees": i % 300, "above_scale": "否"}


def json_table(path: Path, rows: int, *, wrong: bool) -> Path:
    with path.open("w", encoding="utf-8") as out:
        out.write('{"enterprises": [')
        for n, item in enumerate(_json_rows(rows, wrong)):
            out.write(("," if n else "") + json.dumps(item, ensure_ascii=False))
        out.write("]}")
    return path


def nested_json(path: Path) -> Path:
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    return path


def duplicate_keys_json(path: Path) -> Path:
    path.write_text('{"enterprises": [{"id": "1", "id": "2", "employees": ' + "9" * 100_000 + "}]}", encoding="utf-8")
    return path


def many_keys_json(path: Path) -> Path:
    keys = ", ".join(f'"k{i}": ""' for i in range(30_000))
    path.write_text('{"enterprises": [{"id": "91350100M000100Y43", "name": "甲", ' + keys + "}]}", encoding="utf-8")
    return path


def wide_csv(path: Path, columns: int = 1_000_000) -> Path:
    path.write_text(",".join(f"c{i}" for i in range(columns)) + "\n" + ",".join("x" * columns) + "\n", encoding="utf-8")
    return path


def tall_xlsx(path: Path, rows: int = 3_000_000) -> Path:
    return write_inline_xlsx(path, "企业", rows)


def macro_xlsx(path: Path) -> Path:
    return write_inline_xlsx(path, "宏", 100, macros=True)


_PROGRESS = re.compile(r"^(读取校验|写入|生成)\b.*\d+/\d+")  # progress lines, not what the person is told


def load(case: str, path: Path, work: Path, peer: str = "", filled_with: Path | None = None) -> Run:
    """One measured ``redchain load path`` into a new store: an empty one, or one that
    ``filled_with`` was loaded into first (not measured)."""
    store = work / f"{case}.db"
    store.unlink(missing_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "REDCHAIN_STORE"} | {"COLUMNS": "200"}
    command = [sys.executable, "-m", "api.cli", "load"]
    if filled_with is not None:
        subprocess.run([*command, str(filled_with), "--store", str(store)], capture_output=True, env=env, cwd=ROOT, check=True)
    done = subprocess.run(["/usr/bin/time", "-f", "%e %M", *command, str(path), "--store", str(store)],
                          capture_output=True, text=True, encoding="utf-8", env=env, cwd=ROOT)
    *said, timing = done.stderr.strip().splitlines() or ["? 0"]
    seconds, kb = timing.split()
    lines = [line.strip() for line in said + done.stdout.splitlines() if line.strip()]
    first = next((line for line in lines if not _PROGRESS.match(line)), "")
    if "Traceback" in done.stderr:
        first = "TRACEBACK: " + said[-1]
    for leftover in (store, store.with_name(store.name + "-wal"), store.with_name(store.name + "-shm")):
        leftover.unlink(missing_ok=True)
    return Run(case, float(seconds), int(kb) / 1024, done.returncode, first[:90], peer)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000, help="rows of the valid CSV (the issue's 2·10⁶)")
    parser.add_argument("--json-rows", type=int, default=1_000_000, help="rows of the JSON tables (the issue's 10⁶)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "REFUSALS.md")
    parser.add_argument("--case", action="append", help="run only this case (its name in the table); repeatable")
    args = parser.parse_args()
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="redchain-refusals-") as tmp:
        work = Path(tmp)
        full = work / "full"  # the store of a re-import case holds this file's records first
        cases = [
            ("valid CSV", lambda: valid_csv(work / "enterprises.csv", args.rows), ""),
            (RESAVED, lambda: valid_csv(work / "resaved" / "enterprises.csv", args.rows, last_two_swapped=True), "valid CSV"),
            (CHANGED, lambda: valid_csv(work / "changed" / "enterprises.csv", args.rows, members_changed=args.rows // 2),
             "valid CSV"),
            ("valid JSON", lambda: json_table(work / "valid.json", args.json_rows, wrong=False), ""),
            ("JSON of wrong types", lambda: json_table(work / "wrong.json", args.json_rows, wrong=True), "valid JSON"),
            ("JSON nested 100,000 levels", lambda: nested_json(work / "nested.json"), ""),
            ("JSON duplicate key, 100,000-digit integer", lambda: duplicate_keys_json(work / "dup.json"), ""),
            ("JSON 30,000 distinct keys", lambda: many_keys_json(work / "keys.json"), ""),
            ("CSV 10⁶ columns", lambda: wide_csv(work / "wide.csv"), ""),
            ("XLSX 3·10⁶ inline-string rows", lambda: tall_xlsx(work / "tall.xlsx"), ""),
            ("XLSM with macros, no known sheet", lambda: macro_xlsx(work / "macro.xlsm"), ""),
        ]
        unknown = set(args.case or ()) - {case for case, _, _ in cases}
        if unknown:
            parser.error(f"no case named {', '.join(sorted(unknown))}; the cases: {', '.join(c for c, _, _ in cases)}")
        for case, make, peer in cases:
            if args.case and case not in args.case:
                continue
            path = make()
            filled_with = None
            if case in REIMPORTS:
                filled_with = full / "enterprises.csv"
                if not filled_with.exists():
                    valid_csv(filled_with, args.rows)
            run = load(case, path, work, peer, filled_with)
            run.said = f"{path.stat().st_size / 1e6:.1f} MB; " + run.said
            print(f"{case}: {run.seconds:.1f} s, {run.peak_mb:.0f} MB, exit {run.exit_code}: {run.said}", flush=True)
            runs.append(run)
            path.unlink()
    write_markdown(runs, args.out, args, [case for case, _, _ in cases])


def _kept_rows(out: Path, rerun: set[str]) -> dict[str, str]:
    """The table rows of ``out`` (by case) that are not being measured again."""
    if not out.exists():
        return {}
    rows = [line for line in out.read_text(encoding="utf-8").splitlines() if line.startswith("| ") and " | " in line]
    return {case: line for line in rows[1:] if (case := line[2:].split(" | ", 1)[0]) not in rerun}


def _notes(out: Path) -> str:
    """The hand-written sections (``## ...``) after the table of ``out``, kept as they are."""
    text = out.read_text(encoding="utf-8") if out.exists() else ""
    start = text.find("\n## ")
    return "\n" + text[start + 1:] if start >= 0 else ""


def write_markdown(runs: list[Run], out: Path, args, cases: list[str]) -> None:
    kept = _kept_rows(out, {run.case for run in runs}) if args.case else {}
    by_case = {run.case: run for run in runs}
    lines = ["# Refusals: time and memory of saying no", "",
             f"Run: `python benchmarks/refusals.py --rows {args.rows} --json-rows {args.json_rows}`, whole `redchain load` "
             "processes on an empty store (the re-imports: into a store the valid CSV was loaded into first, not measured), "
             "`/usr/bin/time -f '%e %M'`.", "",
             "| file | seconds | peak RSS (MB) | exit | vs valid import of the same size | what the person reads |",
             "|---|---:|---:|---:|---:|---|"]
    measured = {}
    for run in runs:
        peer = by_case.get(run.peer)
        ratio = f"{run.seconds / peer.seconds:.2f}× ({run.peer})" if peer else ""
        said = run.said.replace("|", "\\|")
        measured[run.case] = f"| {run.case} | {run.seconds:.1f} | {run.peak_mb:.0f} | {run.exit_code} | {ratio} | {said} |"
    order = [case for case in cases if case in measured or case in kept]
    lines += [measured.get(case) or kept[case] for case in order]
    if args.case:
        lines += ["", f"Measured again alone (`--case`), the other rows kept from the run before: {'; '.join(measured)}."]
    lines += ["", "Limits (issue 17): a refusal ≤ 1 GB peak and ≤ 2× the valid import of the same size; "
              "the valid CSV of 2·10⁶ rows ≤ 1.2 GB, into an empty store or a full one.", ""]
    out.write_text("\n".join(lines) + _notes(out), encoding="utf-8")
    print(f"written {out}")


if __name__ == "__main__":
    main()
