#!/usr/bin/env python3
"""measure.py RUNS CMD...: run CMD RUNS times; print 'median_seconds max_rss_kib'.
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
    cmd = sys.argv[2:]
    res = [once(cmd) for _ in range(runs)]
    times = sorted(r[0] for r in res)
    print("%.4f %d" % (times[len(times) // 2], max(r[1] for r in res)))


main()
