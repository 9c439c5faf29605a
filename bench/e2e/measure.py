#!/usr/bin/env python3
"""Runs one benchmark command that prints a JSON line and annotates that line with how busy
the machine was (the machine is shared: 2 cores, other jobs compiling).

    measure.py [--idle-wait S] [--tag k=v]... -- CMD ARGS...

Before the command: waits up to S seconds for the whole machine to be under 10% busy
for 2 consecutive seconds (0 = do not wait). During the command: CPU used by everything
else = busy jiffies of /proc/stat minus the command's own CPU time (RUSAGE_CHILDREN),
in % of one core. Adds load_avg_1m, foreign_cpu_pct, idle_before and the tags to the
command's last stdout line (or writes an "error" line if there is none) and prints it.
Standard library only."""
import json
import os
import resource
import subprocess
import sys
import time

HZ = os.sysconf("SC_CLK_TCK")


def busy_jiffies():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:9]]
    busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7]  # user nice system irq softirq steal
    return busy, busy + v[3] + v[4]                 # + idle iowait


def busy_pct(seconds):
    b0, t0 = busy_jiffies()
    time.sleep(seconds)
    b1, t1 = busy_jiffies()
    return 100.0 * (b1 - b0) / max(1, t1 - t0)


def wait_idle(max_s):
    start = time.time()
    calm = 0
    while time.time() - start < max_s:
        calm = calm + 1 if busy_pct(1.0) < 10.0 else 0
        if calm >= 2:
            return True
    return False


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def main():
    argv = sys.argv[1:]
    if "--" not in argv:
        sys.exit("usage: measure.py [--idle-wait S] [--tag k=v]... -- CMD ARGS...")
    opts, cmd = argv[:argv.index("--")], argv[argv.index("--") + 1:]
    idle_wait, tags = 0.0, {}
    i = 0
    while i < len(opts):
        if opts[i] == "--idle-wait":
            idle_wait = float(opts[i + 1])
        elif opts[i] == "--tag":
            k, _, v = opts[i + 1].partition("=")
            tags[k] = int(v) if v.isdigit() else v  # threads=2 stays a number
        i += 2
    idle = wait_idle(idle_wait) if idle_wait > 0 else None
    load = os.getloadavg()[0]
    b0, _ = busy_jiffies()
    c0, w0 = children_cpu(), time.time()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = max(1e-6, time.time() - w0)
    b1, _ = busy_jiffies()
    own = children_cpu() - c0
    foreign = max(0.0, 100.0 * ((b1 - b0) / HZ - own) / wall)
    lines = [l for l in p.stdout.splitlines() if l.strip().startswith("{")]
    try:
        r = json.loads(lines[-1])
    except (IndexError, ValueError):
        err = (p.stderr.strip().splitlines() or ["no output"])[-1]
        r = {"error": f"exit {p.returncode}: {err[:300]}"}
    r.update(tags)
    r.update({"load_avg_1m": round(load, 2), "foreign_cpu_pct": round(foreign, 1),
              "idle_before": idle, "wall_s": round(wall, 2)})
    print(json.dumps(r), flush=True)


if __name__ == "__main__":
    main()
