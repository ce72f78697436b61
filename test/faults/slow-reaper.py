# Issue 11's "up orphans" on demand (Linux): runs a command as a child subreaper that reaps orphans
# only every REAP_EVERY seconds (default 30), as a busy or slow PID 1 does. Orphans of the command (a
# killed `up`'s postmaster) are reparented to us and stay zombies until we reap them.
# Usage: REAP_EVERY=30 python3 test/faults/slow-reaper.py bash .ci/faults.sh
import ctypes, os, subprocess, sys, time
ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
every = float(os.environ.get('REAP_EVERY', '30'))
child = subprocess.Popen(sys.argv[1:])
last, code = time.time(), None
while code is None:
    time.sleep(0.1)
    # our own command: reaped at once
    pid, status = os.waitpid(child.pid, os.WNOHANG)
    if pid:
        code = os.waitstatus_to_exitcode(status)
    if time.time() - last >= every:
        last = time.time()
        try:
            while True:
                pid, status = os.waitpid(-1, os.WNOHANG)
                if pid == 0:
                    break
                if pid == child.pid:
                    code = os.waitstatus_to_exitcode(status)
        except ChildProcessError:
            pass
sys.exit(code)
