"""The recomputation check of tests/export/test_export_agreement_reproduce.py on a 5,000-task,
two-annotator export with realistic disagreement (bench_export_gen.py), plus the CPU cost of the
agreement with its bootstrap intervals next to the agreement without them (same run).

Usage: ``python tests/benchmarks/bench_agreement_reproduce.py [N]`` (default 5000). Prints the
articles in the agreement and in gold, how many card figures were recomputed from the released
``annotations`` config and matched, the headline figures side by side, and CPU seconds.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "benchmarks"))
sys.path.insert(0, str(REPO / "tests" / "export"))


def _cpu() -> float:
    t = os.times()
    return t.user + t.system


def main(n: int) -> None:
    from bench_export_gen import generate
    from test_export_agreement_reproduce import check_card_against_release

    from stancebank.export.adjudicate import adjudicate
    from stancebank.export.agreement import AgreementAccumulator
    from stancebank.export.reader import read_exports
    from stancebank.export.release import build_release

    os.environ.setdefault("STANCEBANK_PSEUDONYM_KEY", "bench-key")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        export = generate(tmp / "export.json", n)
        c0 = _cpu()
        report = build_release([export], "1.0.0", tmp / "out", registry_path=tmp / "registry.json")
        build_cpu = _cpu() - c0
        c0 = _cpu()
        result = check_card_against_release(tmp / "out", tmp / "cache")
        check_cpu = _cpu() - c0

        # agreement alone: without intervals vs with 1,000 replicates (all + gold)
        data = read_exports([export])
        acc = AgreementAccumulator()
        c0 = _cpu()
        for article_id in sorted(data.annotations):
            anns = data.annotations[article_id]
            acc.add(anns, article_id=article_id, gold=adjudicate(article_id, anns).is_gold)
        add_cpu = _cpu() - c0
        c0 = _cpu()
        acc.finish(replicates=0)
        plain_cpu = _cpu() - c0
        c0 = _cpu()
        acc.finish(replicates=1000)
        boot_cpu = _cpu() - c0

    all_f, gold_f = result["all"], result["gold"]
    print(f"tasks {n}: articles in agreement {all_f['articles']}, in gold {gold_f['articles']}")
    print(f"adjudication: {dict(report.methods)}")
    print(f"card figures recomputed from the released annotations, all matching: {result['figures_checked']}")
    for key in (
        "span_f1_exact.overall",
        "span_f1_overlap.overall",
        "span_f1_overlap.CLAIM",
        "relation_f1_strict.overall",
        "stance_macro_f1",
        "stance_f_avg",
        "krippendorff_alpha.stance",
        "krippendorff_alpha.actor_type",
        "krippendorff_alpha.claim_form",
    ):
        a, g = all_f.get(key), gold_f.get(key)
        fa = "—" if a is None else f"{a:.4f}"
        fg = "—" if g is None else f"{g:.4f}"
        print(f"  {key:32s} all {fa:>7s}   gold {fg:>7s}")
    print(f"CPU s: build {build_cpu:.1f}, independent recomputation (test code) {check_cpu:.1f}")
    print(
        f"CPU s: agreement add {add_cpu:.2f}; finish without intervals {plain_cpu:.2f}, with 1,000 "
        f"bootstrap replicates {boot_cpu:.2f} (ratio {boot_cpu / max(plain_cpu, 1e-9):.1f}x; "
        f"{(boot_cpu - plain_cpu) / max(build_cpu, 1e-9):.1%} of the build's CPU)"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
