"""``simlib evaluate``: the model-and-data evaluation chapter's main runs from a shell.

    simlib evaluate compression --json     # pruned / dynamic / static INT8 digits networks (MEASURED)
    simlib evaluate labels --seed 1        # planted label noise found by confident learning (MEASURED)
    simlib evaluate lm                     # perplexity, time to first token, inter-token latency (MEASURED)
    simlib evaluate lighthouse             # the source's Lighthouse 1.3, recomputed

Run lengths follow ``SIMLIB_BUDGET``. Exit codes: 0, or 2 for bad input.
"""

from __future__ import annotations

import argparse

from simlib.commands._common import print_json

STUDIES = ("compression", "labels", "lm", "lighthouse")


def run(args: argparse.Namespace) -> int:
    from simlib._validate import Range, check

    check("--seed", args.seed, Range(0, 2**31 - 1, integer=True), owner="simlib evaluate")
    if args.study == "compression":
        from simlib.measure.compression import compression_study

        r = compression_study(seed=args.seed)
        out, text = r.to_dict(), r.table()
    elif args.study == "labels":
        from simlib.evaluation.labels import label_noise_detection

        r = label_noise_detection(seed=args.seed)
        out, text = r.to_dict(), r.table()
    elif args.study == "lm":
        from simlib.evaluation.lm import (
            NgramLM,
            corpus,
            generation_timing,
            gru_perplexity,
            train_char_lm,
        )

        train, held, _ = corpus()
        gru = train_char_lm(seed=args.seed)
        g = generation_timing(gru)
        ppl = {f"{k}-gram": NgramLM(order=k).fit(train).perplexity(held) for k in (1, 2, 3, 4)}
        ppl["gru"] = gru_perplexity(gru, held)
        out = {"perplexity_held_out": ppl, "generation": g.to_dict()}
        text = "perplexity on held-out text: " + ", ".join(f"{k} {v:.2f}" for k, v in ppl.items()) + "\n" + g.table()
    else:
        from simlib.evaluation.frontier import lighthouse_1_3

        out = lighthouse_1_3()
        text = "\n".join(f"{k:36s} {v}" for k, v in out.items())
    if args.json:
        print_json(out)
    else:
        print(text)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("evaluate", help="model and data evaluation: compression, label noise, LM metrics",
                       description="Run one of the evaluation chapter's studies on this machine.")
    p.add_argument("study", choices=STUDIES, help="which study to run")
    p.add_argument("--seed", type=int, default=0, help="seed of the study's randomness (default 0)")
    p.add_argument("--json", action="store_true", help="print the result as strict JSON")
    p.set_defaults(func=run)
