"""
Independent references for the second-round instances of bench:regret (bench/sim/engine-instances.ts).

Written from the papers, sharing no code with src/: numpy's own Beta sampler and generator,
vectorised over repetitions. Prints JSON: mean cumulative pseudo-regret and its standard error
(sd over repetitions / sqrt(reps)) for each instance.

  - dTS: discounted Thompson Sampling (Raj & Kalyani 2017, Algorithm 2): every step all arms'
    success/failure counts are multiplied by gamma, the played arm's get the reward; the draw is
    Beta(S + 1, F + 1). Here gamma = 2^(-1/H) per decision (one decision per simulated second,
    half-life H seconds), which is what the service's decay in wall-clock time amounts to.
  - TS: the same with gamma = 1 (Thompson 1933; Beta(1, 1) prior).
  - cost: Thompson Sampling that knows each arm's mean cost exactly and samples
    theta_a - lambda * c_a with theta_a ~ Beta(S + 1, F + 1): what cost-aware Thompson would be
    with no cost to learn. Net regret: sum_t (max_a (mu_a - lambda c_a) - (mu_at - lambda c_at)).

  python3 bench/reference/engine_reference.py [reps]
"""
import json
import sys

import numpy as np


def abrupt(t, T):
    return np.array([0.10, 0.05]) if t < T // 2 else np.array([0.05, 0.10])


def drift(t, T):
    x = t / T
    return np.array([0.10 - 0.05 * x, 0.05 + 0.05 * x])


def run_ts(means_at, k, T, reps, gamma, seed, lam=0.0, costs=None):
    rng = np.random.default_rng(seed)
    S = np.zeros((reps, k))
    F = np.zeros((reps, k))
    regret = np.zeros(reps)
    rows = np.arange(reps)
    pen = np.zeros(k) if costs is None else lam * np.asarray(costs)
    for t in range(T):
        mu = means_at(t, T)
        net = mu - pen
        theta = rng.beta(S + 1, F + 1) - pen
        a = np.argmax(theta, axis=1)
        r = (rng.random(reps) < mu[a]).astype(float)
        S *= gamma
        F *= gamma
        S[rows, a] += r
        F[rows, a] += 1 - r
        regret += net.max() - net[a]
    return {"mean": float(regret.mean()), "se": float(regret.std(ddof=1) / np.sqrt(reps)), "reps": reps}


def main():
    reps = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    T = 20_000
    H = float(sys.argv[2]) if len(sys.argv) > 2 else 2000.0
    g = 2 ** (-1 / H)
    out = {
        "halfLife": H,
        "abrupt/ts": run_ts(abrupt, 2, T, reps, 1.0, 1),
        "abrupt/dts": run_ts(abrupt, 2, T, reps, g, 2),
        "drift/ts": run_ts(drift, 2, T, reps, 1.0, 3),
        "drift/dts": run_ts(drift, 2, T, reps, g, 4),
        "cost/known-cost-ts": run_ts(lambda t, T: np.array([0.12, 0.10, 0.07]), 3, 10_000, reps, 1.0, 5, 5.0, [0.01, 0.002, 0.002]),
    }
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
