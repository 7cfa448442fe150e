"""NumPy + scikit-learn beside `npm run bench -- scale` (bench/scale.ts).

usage: python3 bench/scale_sklearn.py RUN_DIR smacof,pca

Reads τ of a run (the sgdscope Python reader), then per method prints one JSON line: wall seconds
(reading included), peak resident memory of this process so far (ru_maxrss) and Kruskal stress-1
over all pairs (normalised by the input distances, as sgdscope's). `smacof`: classical MDS start,
then scikit-learn's SMACOF (metric, 300 iterations, eps 1e-6), as the issue's table measured it;
`pca`: scikit-learn's randomised PCA (Halko et al.), its stress estimated when n is large.
"""
import json
import os
import resource
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "python"))
from sgdscope import open_run  # noqa: E402


def peak_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def distances(X: np.ndarray) -> np.ndarray:
    from sklearn.metrics import pairwise_distances

    return pairwise_distances(X.astype(np.float64), n_jobs=2)


def stress(D: np.ndarray, Y: np.ndarray) -> float:
    from scipy.spatial.distance import pdist, squareform

    E = squareform(pdist(Y))
    iu = np.triu_indices(D.shape[0], 1)
    return float(np.sqrt(((D[iu] - E[iu]) ** 2).sum() / (D[iu] ** 2).sum()))


def sampled_stress(X: np.ndarray, Y: np.ndarray, s: int = 2000) -> float:
    rng = np.random.default_rng(0)
    idx = rng.choice(X.shape[0], size=min(s, X.shape[0]), replace=False)
    return stress(distances(X[idx]), Y[idx])


def main() -> None:
    run_dir, methods = sys.argv[1], sys.argv[2].split(",")
    t0 = time.perf_counter()
    run = open_run(run_dir)
    tau = run.tau
    X = np.ascontiguousarray(tau.reshape(tau.shape[0] * tau.shape[1], -1), dtype=np.float32)
    t_read = time.perf_counter() - t0
    for method in methods:
        t = time.perf_counter()
        if method == "smacof":
            from sklearn.manifold import smacof

            D = distances(X)
            n = D.shape[0]
            J = np.eye(n) - 1.0 / n
            B = -0.5 * J @ (D**2) @ J
            w, V = np.linalg.eigh(B)
            init = V[:, -2:][:, ::-1] * np.sqrt(np.maximum(w[-2:][::-1], 0))
            Y, _ = smacof(D, n_components=2, init=init, n_init=1, max_iter=300, eps=1e-6, metric=True, normalized_stress=False)
            s = stress(D, Y)
            del D, B, V, J
        elif method == "pca":
            from sklearn.decomposition import PCA

            Y = PCA(n_components=2, svd_solver="randomized", random_state=0).fit_transform(X)
            s = sampled_stress(X, Y)
        else:
            continue
        seconds = time.perf_counter() - t + t_read
        print(json.dumps({"method": method, "seconds": seconds, "peak_bytes": peak_bytes(), "stress": s}), flush=True)


if __name__ == "__main__":
    main()
