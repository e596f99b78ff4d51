#!/usr/bin/env python3
"""measure.py RUNS CMD...: run CMD RUNS times; print 'median_seconds max_rss_kib'.
measure.py RUNS -- CMD1... -- CMD2... [-- CMD3...]: the commands take turns
(CMD1, CMD2, CMD1, CMD2 ...) so that a slow phase of the machine hits them
alike; one such line per command, in order.
Each run's peak RSS comes from wait4() of that child alone."""
import os
import sys
import time


def once(cmd):
    t0 = time.monotonic()
    pid = os.fork()
    if pid == 0:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        try:
            os.execvp(cmd[0], cmd)
        finally:
            os._exit(127)
    _, status, ru = os.wait4(pid, 0)
    dt = time.monotonic() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit("measure: %s failed" % " ".join(cmd))
    return dt, ru.ru_maxrss


def main():
    runs = int(sys.argv[1])
    args = sys.argv[2:]
    if args and args[0] == "--":
        cmds, cur = [], None
        for a in args:
            if a == "--":
                cur = []
                cmds.append(cur)
            else:
                cur.append(a)
    else:
        cmds = [args]
    res = [[] for _ in cmds]
    for _ in range(runs):
        for i, cmd in enumerate(cmds):
            res[i].append(once(cmd))
    for r in res:
        times = sorted(x[0] for x in r)
        print("%.4f %d" % (times[len(times) // 2], max(x[1] for x in r)))


main()
