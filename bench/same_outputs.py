"""Compare two recon OUT folders (e.g. the same drop run by the code before
and after a change): every CSV byte for byte, every township .xlsx cell for
cell (every sheet), report.html as text.

    .venv/bin/python -m bench.same_outputs OUT_BEFORE OUT_AFTER     # prints IDENTICAL or DIFFERENT"""
import sys, difflib
from pathlib import Path
from python_calamine import CalamineWorkbook

a, b = Path(sys.argv[1]), Path(sys.argv[2])
SKIP = (".cache", ".dagster_storage", "data_docs", ".recon")
def files(root):
    return sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file() and not any(part in SKIP for part in p.relative_to(root).parts) and not p.name.startswith("bench_"))
fa, fb = files(a), files(b)
ok = True
if fa != fb:
    print("file lists differ:", set(fa) ^ set(fb)); ok = False
for rel in fa:
    if rel not in fb: continue
    pa, pb = a / rel, b / rel
    if rel.suffix == ".csv":
        same = pa.read_bytes() == pb.read_bytes()
        print(f"{'same' if same else 'DIFF'} bytes  {rel}"); ok &= same
    elif rel.suffix == ".xlsx":
        wa, wb = CalamineWorkbook.from_path(str(pa)), CalamineWorkbook.from_path(str(pb))
        same = wa.sheet_names == wb.sheet_names
        cells = 0
        for name in wa.sheet_names:
            ra, rb = wa.get_sheet_by_name(name).to_python(), wb.get_sheet_by_name(name).to_python()
            same &= ra == rb
            cells += sum(map(len, ra))
        print(f"{'same' if same else 'DIFF'} cells  {rel} ({len(wa.sheet_names)} sheets, {cells} cells)"); ok &= same
    elif rel.suffix == ".html":
        ta, tb = pa.read_text(encoding="utf-8"), pb.read_text(encoding="utf-8")
        if ta == tb:
            print(f"same text   {rel}")
        else:
            diff = [l for l in difflib.unified_diff(ta.splitlines(), tb.splitlines(), lineterm="", n=0) if l[:1] in "+-" and not l.startswith(("+++", "---"))]
            print(f"DIFF text   {rel}: {len(diff)} lines differ"); print("\n".join(d[:300] for d in diff[:10])); ok = False
    else:
        print(f"(not compared) {rel}")
print("IDENTICAL" if ok else "DIFFERENT")
sys.exit(0 if ok else 1)
