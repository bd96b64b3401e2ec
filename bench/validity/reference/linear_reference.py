"""
An independent reference of linear Thompson sampling for issue 23's benchmark (bench/validity/regret-linear.ts):
numpy, its own random generator, its own linear algebra (Sherman-Morrison updates of A^-1, a full
multivariate normal draw of theta through a Cholesky factor), sharing nothing with src/ but the
instance definition (bench/validity/sim/linear-instances.json).

The algorithm is linear Thompson sampling (Agrawal & Goyal 2013) with the Bayesian ridge noise
scale, averaged over two models per arm (Bayesian model averaging, Hoeting et al. 1999; Bayes
factor as in Kass & Raftery 1995), as src/bandit/linear-thompson.ts and linear-evidence.ts state it:
  M1 (full): A = I + sum x x^T, b = sum r x, theta ~ N(A^-1 b, s2_1 A^-1),
             s2_1 = (b0 + (sum r^2 - b . A^-1 b) / 2) / (a0 + n / 2);
  M0 (intercept only): A0 = 1 + n, theta_0 ~ N(sum r / A0, s2_0 / A0),
             s2_0 = (b0 + (sum r^2 - (sum r)^2 / A0) / 2) / (a0 + n / 2);
  a0 = 1, b0 = 1/4 (bernoulli rewards). P(M1) = 1 / (1 + exp(-log BF10)) (prior 1/2), with the
  Normal-Inverse-Gamma Bayes factor
  log BF10 = -1/2 (log det A - log A0) - (a0 + n/2) (log(s2_1) - log(s2_0)),
  log det A kept by the matrix determinant lemma (log det(A + x x^T) = log det A + log(1 + x^T A^-1 x)).
Per decision and arm: draw the model with P(M1), then its coefficients, and play argmax of the
score (x . theta under M1, theta_0 under M0). The context is encoded as the service does:
intercept, one indicator per listed segment, u, v.

  python3 bench/validity/reference/linear_reference.py [instance] [reps]    -> JSON of the cumulative regret
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
    sumr = np.zeros((reps, K))
    logdet = np.zeros((reps, K))
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
        an = 1 + n / 2
        s2 = (0.25 + np.maximum(0, sumsq - np.einsum('rki,rki->rk', mean, bvec)) / 2) / an
        a0 = 1 + n
        s20 = (0.25 + np.maximum(0, sumsq - sumr * sumr / a0) / 2) / an
        logbf = -0.5 * (logdet - np.log(a0)) - an * (np.log(s2) - np.log(s20))
        p1 = 1 / (1 + np.exp(-np.clip(logbf, -700, 700)))
        cov = s2[:, :, None, None] * ainv
        chol = np.linalg.cholesky(cov + 1e-12 * np.eye(d))
        z = rng.standard_normal((reps, K, d))
        theta = mean + np.einsum('rkij,rkj->rki', chol, z)
        full = np.einsum('rki,ri->rk', theta, x)
        intercept = sumr / a0 + np.sqrt(s20 / a0) * rng.standard_normal((reps, K))
        arm = np.argmax(np.where(rng.uniform(size=(reps, K)) < p1, full, intercept), axis=1)
        regret += mu.max(axis=1) - mu[ridx, arm]
        r = (rng.uniform(size=reps) < mu[ridx, arm]).astype(float)
        a = ainv[ridx, arm]
        ax = np.einsum('rij,rj->ri', a, x)
        denom = 1 + np.einsum('ri,ri->r', x, ax)
        logdet[ridx, arm] += np.log(denom)
        ainv[ridx, arm] = a - np.einsum('ri,rj->rij', ax, ax) / denom[:, None, None]
        bvec[ridx, arm] += r[:, None] * x
        n[ridx, arm] += 1
        sumsq[ridx, arm] += r * r
        sumr[ridx, arm] += r
        if t + 1 in checkpoints:
            out.append({'t': t + 1, 'mean': float(regret.mean()), 'se': float(regret.std(ddof=1) / math.sqrt(reps))})
    return out


if __name__ == '__main__':
    key = sys.argv[1] if len(sys.argv) > 1 else 'linear'
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else SPEC['reps']
    print(json.dumps({'instance': key, 'reps': reps, 'regret': run(key, reps)}))
