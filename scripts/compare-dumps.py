#!/usr/bin/env python3
"""Compares two `qrun --dump` directories tensor by tensor.

Typical use: the float and the int8 conversion of one ONNX model, run on the
same input, matched by tensor name (qconvert keeps the ONNX names):

    qconvert model.onnx --float -o model_f.qfb
    qconvert model.onnx --calib calib/ -o model_q.qfb
    qrun model_f.qfb input.f32 --dump /tmp/f
    qrun model_q.qfb input.f32 --dump /tmp/q
    scripts/compare-dumps.py /tmp/f /tmp/q

For each tensor present in both (in the second dump's op order) it prints
the SQNR in dB (signal = first dump), the cosine similarity, the largest
absolute difference and the quantization step of the second dump's tensor,
and marks where the SQNR first falls below --warn-db. Python 3 standard
library only.
"""
import argparse
import array
import ast
import math
import os
import sys


def read_index(d):
    path = os.path.join(d, "index.tsv")
    try:
        with open(path) as f:
            lines = f.read().splitlines()
    except OSError as e:
        sys.exit(f"compare-dumps: cannot read {path}: {e.strerror}")
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"))) for line in lines[1:] if line]


def read_npy_f32(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:6] != b"\x93NUMPY":
        sys.exit(f"compare-dumps: {path} is not a .npy file")
    major = data[6]
    hlen_size = 2 if major == 1 else 4
    hlen = int.from_bytes(data[8:8 + hlen_size], "little")
    start = 8 + hlen_size
    header = ast.literal_eval(data[start:start + hlen].decode("latin1"))
    if header["descr"] != "<f4" or header["fortran_order"]:
        sys.exit(f"compare-dumps: {path}: expected little-endian float32 in C order")
    values = array.array("f")
    values.frombytes(data[start + hlen:])
    if sys.byteorder != "little":
        values.byteswap()
    return values


def stats(ref, test):
    sig = noise = dot = nr = nt = 0.0
    max_abs = 0.0
    for r, t in zip(ref, test):
        d = t - r
        sig += r * r
        noise += d * d
        dot += r * t
        nr += r * r
        nt += t * t
        max_abs = max(max_abs, abs(d))
    sqnr = math.inf if noise == 0 else (10 * math.log10(sig / noise) if sig > 0 else -math.inf)
    cos = dot / math.sqrt(nr * nt) if nr > 0 and nt > 0 else (1.0 if nr == nt else 0.0)
    return sqnr, cos, max_abs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("reference", help="dump directory taken as the signal (e.g. the float model)")
    ap.add_argument("test", help="dump directory compared with it (e.g. the int8 model)")
    ap.add_argument("--warn-db", type=float, default=20.0,
                    help="mark tensors whose SQNR is below this many dB (default 20)")
    args = ap.parse_args()

    ref = {row["tensor"]: row for row in read_index(args.reference)}
    rows = read_index(args.test)
    print(f"{'op':>4}  {'type':<20} {'tensor':<44} {'shape':<14} {'SQNR dB':>8} "
          f"{'cosine':>8} {'max |d|':>9} {'step':>9}")
    matched = 0
    first_bad = None
    for row in rows:
        other = ref.get(row["tensor"])
        if other is None:
            continue
        if other["shape"] != row["shape"]:
            print(f"{row['op']:>4}  {row['type']:<20} {row['tensor'][:44]:<44} shape "
                  f"{other['shape']} vs {row['shape']}: skipped")
            continue
        a = read_npy_f32(os.path.join(args.reference, other["file"]))
        b = read_npy_f32(os.path.join(args.test, row["file"]))
        sqnr, cos, max_abs = stats(a, b)
        matched += 1
        mark = ""
        if sqnr < args.warn_db and first_bad is None:
            first_bad = row["tensor"]
            mark = "  <- first below %g dB" % args.warn_db
        step = row["scale"] if row["scale"] else "-"
        print(f"{row['op']:>4}  {row['type']:<20} {row['tensor'][:44]:<44} {row['shape']:<14} "
              f"{sqnr:8.2f} {cos:8.5f} {max_abs:9.4g} {step:>9.9}{mark}")
    if matched == 0:
        sys.exit("compare-dumps: no tensor names in common (were both dumps made from "
                 "conversions of the same model?)")
    print(f"{matched} tensors compared" +
          (f"; first below {args.warn_db:g} dB: {first_bad}" if first_bad else ""))


if __name__ == "__main__":
    main()
