"""A recording process for the tests: records network --net of a run at epochs 0..E-1
(logits from helpers.logits), printing one line per snapshot."""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..")))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import sgdscope  # noqa: E402
from helpers import C, labels, logits  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("project")
ap.add_argument("run")
ap.add_argument("--nets", type=int, required=True)
ap.add_argument("--net", type=int, required=True)
ap.add_argument("--epochs", type=int, default=10)
ap.add_argument("--go", help="wait until this file exists, so that writers start together")
ap.add_argument("--forever", action="store_true", help="keep recording until killed")
ap.add_argument("--no-close", action="store_true", help="exit without close()")
a = ap.parse_args()

if a.go:
    while not os.path.exists(a.go):
        time.sleep(0.001)
rec = sgdscope.Recorder(a.project, run=a.run, nets=a.nets, probe_labels=labels(), outputs="logits", classes=C,
                        meta={"writer": a.net})
e = 0
while a.forever or e < a.epochs:
    j = rec.snapshot(net=a.net, epoch=e, outputs=logits(a.net, e), metrics={"train_loss": 1 / (e + 1)},
                     weights=logits(a.net, e)[0], samples=100 * e)
    print(f"snapshot {j} epoch {e}", flush=True)
    e += 1
if not a.no_close:
    rec.close()
print("closed", flush=True)
