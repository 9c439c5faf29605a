#!/usr/bin/env python3
"""Markdown tables from the JSON lines of scripts/bench-models.sh (results.jsonl).

    report.py results.jsonl

Every line carries model (the ONNX model's name), variant (qrun: calib | qdq | qdq_u8s8,
ORT: u8s8 | s8s8 | float), system (qrun | onnxruntime), threads, median_ms, min_ms and for
qrun backend and the memory fields. With several repetitions a cell is the median of the
repetition medians (min: the minimum). Standard library only."""
import json
import statistics
import sys
from collections import defaultdict

VARIANTS = ["calib", "qdq", "qdq_u8s8"]
ORT_VARIANTS = ["u8s8", "s8s8", "float"]
MB = 1024.0 * 1024.0


def fmt(v, nd=2):
    return "-" if v is None else f"{v:.{nd}f}"


def mb(v):
    return "-" if v is None else f"{v / MB:.2f}"


def main():
    rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
    med = defaultdict(list)    # key -> repetition medians
    mins = defaultdict(list)
    errors = {}
    mem = {}                   # (model, variant, backend) -> 1-thread line
    rss_over = defaultdict(list)
    for r in rows:
        if r.get("system") == "onnxruntime":
            key = ("ort", r["model_name"], r["variant"], r["threads"])
        else:
            key = ("qrun", r["model_name"], r["variant"], r["threads"], r.get("backend"))
        if "error" in r:
            errors[key] = r["error"]
            continue
        med[key].append(r["median_ms"])
        mins[key].append(r["min_ms"])
        if r.get("system") == "qrun":
            if r["threads"] == 1:
                mem.setdefault((r["model_name"], r["variant"], r["backend"]), r)
            if not r.get("rss_ok", True):
                rss_over[(r["model_name"], r["variant"], r["backend"])].append(f"t{r['threads']}")

    def m(key):
        return statistics.median(med[key]) if med.get(key) else None

    def mn(key):
        return min(mins[key]) if mins.get(key) else None

    models = sorted({r["model_name"] for r in rows})
    threads = sorted({r["threads"] for r in rows})
    print("| model | qfb from | threads | qrun native median (min) ms | qrun xnnpack median (min) ms "
          "| ORT u8s8 median (min) ms | ORT s8s8 median ms | ORT float median ms "
          "| qrun native / ORT best: medians | mins |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for model in models:
        for t in threads:
            ort = {v: m(("ort", model, v, t)) for v in ORT_VARIANTS}
            best = min([x for x in ort.values() if x is not None], default=None)
            best_min = min([x for x in (mn(("ort", model, v, t)) for v in ORT_VARIANTS) if x is not None],
                           default=None)
            for v in VARIANTS:
                nat_key = ("qrun", model, v, t, "native")
                xnn_key = ("qrun", model, v, t, "xnnpack")
                if nat_key not in med and nat_key not in errors:
                    continue
                nat = m(nat_key)
                xnn = m(xnn_key)
                xnn_cell = (f"{fmt(xnn)} ({fmt(mn(xnn_key))})" if xnn is not None
                            else ("n/a" if xnn_key in errors else "-"))
                ratio = f"{nat / best:.2f}x" if nat is not None and best else "-"
                ratio_min = f"{mn(nat_key) / best_min:.2f}x" if nat is not None and best_min else "-"
                print(f"| {model} | {v} | {t} | {fmt(nat)} ({fmt(mn(nat_key))}) | {xnn_cell} | "
                      f"{fmt(ort['u8s8'])} ({fmt(mn(('ort', model, 'u8s8', t)))}) | {fmt(ort['s8s8'])} | "
                      f"{fmt(ort['float'])} | {ratio} | {ratio_min} |")
    print()
    print("| model | qfb from | backend | .qfb MB | arena MB | packed MB | peak RSS MB | of which code MB "
          "| bound MB | ok/over |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---|")
    for model in models:
        for v in VARIANTS:
            for be in ["native", "xnnpack", "reference"]:
                r = mem.get((model, v, be))
                if r is None:
                    continue
                over = r["peak_rss_bytes"] - r["rss_bound_bytes"]
                verdict = "ok" if r["rss_ok"] else f"over by {over / MB:.2f}"
                others = [x for x in rss_over.get((model, v, be), []) if x != "t1"]
                if others:
                    verdict += " (over also at " + ", ".join(others) + ")"
                print(f"| {model} | {v} | {be} | {mb(r['file_bytes'])} | {mb(r['arena_bytes'])} "
                      f"| {mb(r['packed_bytes'])} | {mb(r['peak_rss_bytes'])} | {mb(r.get('code_rss_bytes'))} "
                      f"| {mb(r['rss_bound_bytes'])} | {verdict} |")
    if errors:
        print()
        seen = set()
        for key, e in sorted(errors.items(), key=lambda kv: str(kv[0])):
            short = e.split(": ", 1)[-1] if key[0] == "qrun" else e
            tag = (key[0], key[-1] if key[0] == "qrun" else key[2], short)
            if tag in seen:
                continue
            seen.add(tag)
            print(f"- error ({key[0]} {key[-1] if key[0] == 'qrun' else key[2]}, e.g. {key[1]} {key[2]}): {short}")
    loads = [r["load_avg_1m"] for r in rows if "load_avg_1m" in r]
    foreign = [r["foreign_cpu_pct"] for r in rows if "foreign_cpu_pct" in r]
    if loads:
        print()
        print(f"Machine: load average (1 min) at the start of each measurement: min {min(loads):.2f}, "
              f"median {statistics.median(loads):.2f}, max {max(loads):.2f}; CPU used by other processes "
              f"during the measurements: median {statistics.median(foreign):.0f}%, max {max(foreign):.0f}% of one core; "
              f"{sum(1 for r in rows if r.get('idle_before'))} of {len(rows)} measurements started on an idle machine.")


if __name__ == "__main__":
    main()
