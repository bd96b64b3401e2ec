"""
An independent reference of linear Thompson sampling for issue 23's benchmark (bench/regret-linear.ts):
numpy, its own random generator, its own linear algebra (Sherman-Morrison updates of A^-1, a full
multivariate normal draw of theta through a Cholesky factor), sharing nothing with src/ but the
instance definition (bench/sim/linear-instances.json).

The algorithm is the textbook one (Agrawal & Goyal 2013) with the Bayesian ridge noise scale:
per arm A = I + sum x x^T, b = sum r x, theta ~ N(A^-1 b, s2 A^-1), with
s2 = (b0 + (sum r^2 - b . A^-1 b) / 2) / (a0 + n / 2), a0 = 1, b0 = 1/4 (bernoulli rewards); play
argmax x . theta. The context is encoded as the service does: intercept, one indicator per listed
segment, u, v.

  python3 bench/reference/linear_reference.py [instance] [reps]    -> JSON of the cumulative regret
  (mean and standard error over the repetitions at each checkpoint), vectorised over repetitions.
"""
import json
import math
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SPEC = json.load(open(os.path.join(HERE, '..', 'sim', 'linear-instances.json')))


def run(key, reps, seed=20231):
    inst = SPEC['instances'][key]
    segs = len(SPEC['segments'])
    base = np.array(inst['base'])
    seg = np.array(inst['segment'])
    wu = np.array(inst['wu'])
    wv = np.array(inst['wv'])
    K = len(base)
    d = 1 + segs + 2
    T = SPEC['horizon']
    rng = np.random.default_rng(seed)
    ainv = np.tile(np.eye(d), (reps, K, 1, 1))
    bvec = np.zeros((reps, K, d))
    n = np.zeros((reps, K))
    sumsq = np.zeros((reps, K))
    regret = np.zeros(reps)
    out = []
    checkpoints = SPEC['checkpoints']
    ridx = np.arange(reps)
    for t in range(T):
        s = rng.integers(0, segs, size=reps)
        u = rng.uniform(-1, 1, size=reps)
        v = rng.uniform(-1, 1, size=reps)
        x = np.zeros((reps, d))
        x[:, 0] = 1
        x[ridx, 1 + s] = 1
        x[:, 1 + segs] = u
        x[:, 2 + segs] = v
        mu = base[None, :] + seg[:, s].T + u[:, None] * wu[None, :] + v[:, None] * wv[None, :]
        mean = np.einsum('rkij,rkj->rki', ainv, bvec)
        s2 = (0.25 + np.maximum(0, sumsq - np.einsum('rki,rki->rk', mean, bvec)) / 2) / (1 + n / 2)
        cov = s2[:, :, None, None] * ainv
        chol = np.linalg.cholesky(cov + 1e-12 * np.eye(d))
        z = rng.standard_normal((reps, K, d))
        theta = mean + np.einsum('rkij,rkj->rki', chol, z)
        arm = np.argmax(np.einsum('rki,ri->rk', theta, x), axis=1)
        regret += mu.max(axis=1) - mu[ridx, arm]
        r = (rng.uniform(size=reps) < mu[ridx, arm]).astype(float)
        a = ainv[ridx, arm]
        ax = np.einsum('rij,rj->ri', a, x)
        denom = 1 + np.einsum('ri,ri->r', x, ax)
        ainv[ridx, arm] = a - np.einsum('ri,rj->rij', ax, ax) / denom[:, None, None]
        bvec[ridx, arm] += r[:, None] * x
        n[ridx, arm] += 1
        sumsq[ridx, arm] += r * r
        if t + 1 in checkpoints:
            out.append({'t': t + 1, 'mean': float(regret.mean()), 'se': float(regret.std(ddof=1) / math.sqrt(reps))})
    return out


if __name__ == '__main__':
    key = sys.argv[1] if len(sys.argv) > 1 else 'linear'
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else SPEC['reps']
    print(json.dumps({'instance': key, 'reps': reps, 'regret': run(key, reps)}))
