"""
Independent references for the second-round instances of bench:validity (bench/validity/sim/engine-instances.ts).

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

  - stationary (`stationary` mode): the same TS / dTS on today's Bernoulli stationary instances,
    and for the Gaussian one Normal-Gamma Thompson (Murphy 2007, eq. 85-89; prior mu 0, lambda
    0.01, alpha 1, beta 1, the service's default) on discounted n, sum and sum of squares (every
    arm's sums x gamma each step): theta = mu + sqrt(beta / (alpha lambda)) t_(2 alpha).

  python3 bench/validity/reference/engine_reference.py [reps] [half-life]
  python3 bench/validity/reference/engine_reference.py stationary [reps] [half-life,half-life,...]
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


def run_ng(means, T, reps, gamma, seed, sd=1.0, prior=(0.0, 0.01, 1.0, 1.0)):
    """Normal-Gamma Thompson on discounted sums (gamma = 1: plain)."""
    rng = np.random.default_rng(seed)
    mu0, l0, a0, b0 = prior
    k = len(means)
    means = np.asarray(means)
    N = np.zeros((reps, k))
    S = np.zeros((reps, k))
    Q = np.zeros((reps, k))
    regret = np.zeros(reps)
    rows = np.arange(reps)
    for _ in range(T):
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(N > 0, S / np.maximum(N, 1e-300), 0.0)
        ss = np.maximum(0.0, Q - N * mean * mean)
        lam = l0 + N
        mu = (l0 * mu0 + S) / lam
        alpha = a0 + N / 2
        beta = b0 + ss / 2 + l0 * N * (mean - mu0) ** 2 / (2 * lam)
        theta = mu + np.sqrt(beta / (alpha * lam)) * rng.standard_t(2 * alpha)
        a = np.argmax(theta, axis=1)
        r = means[a] + sd * rng.standard_normal(reps)
        N *= gamma
        S *= gamma
        Q *= gamma
        N[rows, a] += 1
        S[rows, a] += r
        Q[rows, a] += r * r
        regret += means.max() - means[a]
    return {"mean": float(regret.mean()), "se": float(regret.std(ddof=1) / np.sqrt(reps)), "reps": reps}


STATIONARY = {
    "ten-close": ([0.10] + [0.08] * 9, 10_000),
    "two-high": ([0.9, 0.8], 5_000),
    "ten-low": ([0.10] + [0.05] * 3 + [0.02] * 3 + [0.01] * 3, 10_000),
}


def stationary(reps, halflives):
    out = {}
    for i, h in enumerate([float("inf")] + halflives):
        g = 1.0 if h == float("inf") else 2 ** (-1 / h)
        label = "ts" if h == float("inf") else f"dts/{int(h)}"
        for j, (key, (m, T)) in enumerate(STATIONARY.items()):
            out[f"{key}/{label}"] = run_ts(lambda t, T, m=m: np.array(m), len(m), T, reps, g, 100 + 10 * i + j)
        out[f"gauss-5/{label}"] = run_ng([0, 0.1, 0.2, 0.3, 0.5], 10_000, reps, g, 200 + i)
        print(json.dumps({k: v for k, v in out.items() if k.endswith(label)}), file=sys.stderr)
    print(json.dumps(out, indent=1))


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "stationary":
        reps = int(sys.argv[2]) if len(sys.argv) > 2 else 400
        hs = [float(x) for x in sys.argv[3].split(",")] if len(sys.argv) > 3 else [5000.0, 20000.0]
        return stationary(reps, hs)
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
