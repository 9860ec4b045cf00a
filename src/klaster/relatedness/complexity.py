"""Economic complexity: ECI / PCI by the eigenvector method, and complexity outlook.

Method of reflections in closed form (Hidalgo & Hausmann 2009; Hausmann, Hidalgo et al.
2014, *The Atlas of Economic Complexity*): with diversity d_r = sum_a M_ra and ubiquity
u_a = sum_r M_ra, the activity matrix M~_aa' = sum_r M_ra M_ra' / (u_a d_r). Its largest
eigenvalue is 1 (constant eigenvector); the eigenvector of the *second largest*
eigenvalue, K_a, is the activity complexity; the region complexity is the mean of K over
the region's activities, k_r = sum_a M_ra K_a / d_r.

Fast path: M~ = U^-1/2 S U^1/2 with the symmetric S = B^T B, B_ra = M_ra / sqrt(d_r u_a),
so K = U^-1/2 w for the eigenvector w of S — the same vector, up to scale, as
``np.linalg.eig(M~)`` in ``ecomplexity``. Only the two largest eigenpairs are computed:
by Lanczos iteration (ARPACK through ``scipy.sparse.linalg.eigsh``, tolerance = machine
precision, seeded start vector) for 200 or more activities, else by
``scipy.linalg.eigh``; Lanczos needs only products with S, which keeps it fast when other
processes compete for the cores (dense tridiagonalisation slows down badly then).

Sign: K is multiplied by the sign of corr(d, k), so that ECI correlates positively with
diversity (Hausmann et al. 2014).

Normalisation (as the ``ecomplexity`` package and the Growth Lab's Stata code):
ECI = (k - mean(k)) / sd(k); PCI = (K - mean(k)) / sd(k) — PCI is shifted and scaled by
the *ECI's* mean and standard deviation (population sd, ddof = 0), which keeps ECI equal
to the mean PCI of the region's activities (up to that affine map).

Complexity outlook (Hausmann et al. 2014, ch. 4):
COI_r = sum_a density_ra (1 - M_ra) K_a, then standardised (mean 0, sd 1 over regions);
COG_ra = (1 - M_ra) sum_a' phi_aa' / (sum_a'' phi_a''a') (1 - M_ra') K_a' / sd(k).
Regions with no activity present (d = 0) and activities present nowhere (u = 0) get NaN
ECI / PCI; they are left out of the eigenproblem (as ``ecomplexity`` leaves them out).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from klaster.errors import DataError


@dataclass(frozen=True)
class Complexity:
    """ECI per region, PCI per activity (normalised as in the module docstring), plus
    ``diversity``, ``ubiquity``, the raw eigenvector ``k_activity`` (sign fixed, NaN where
    u = 0), ``eci_mean``/``eci_sd`` (of the raw region vector) and ``eigenvalues`` (the
    two largest of M~; a second eigenvalue close to the first means a nearly disconnected
    network and an unstable ECI)."""

    eci: np.ndarray
    pci: np.ndarray
    diversity: np.ndarray
    ubiquity: np.ndarray
    k_activity: np.ndarray
    eci_mean: float
    eci_sd: float
    eigenvalues: tuple[float, float]


Solver = Literal["auto", "eigh", "lanczos"]
LANCZOS_FROM = 200


def _top_two(s: np.ndarray, top: np.ndarray, solver: Solver
             ) -> tuple[np.ndarray, np.ndarray]:
    """The two largest eigenpairs of the symmetric ``s``, ascending (like eigh).

    ``top``: the known eigenvector of the largest eigenvalue (unit length). Lanczos then
    runs on the deflated S - lambda_1 w_1 w_1^T for its single largest eigenpair, which
    takes fewer and cheaper iterations than asking for two pairs (Saad 2011, *Numerical
    Methods for Large Eigenvalue Problems*, sec. 4.2: Wielandt/Hotelling deflation)."""
    # imported here, not at start-up of every `klaster` command (benchmarks/bench_demo_eu.py)
    import scipy.linalg
    import scipy.sparse.linalg

    n = s.shape[0]
    use_lanczos = solver == "lanczos" or (solver == "auto" and n >= LANCZOS_FROM)
    if use_lanczos and n > 3:
        # Seeded start vector: reproducible, and not the known top eigenvector (a start on
        # an eigenvector would stop the Krylov space growing).
        v0 = np.random.default_rng(0).uniform(0.5, 1.5, n)
        lam1 = float(top @ (s @ top))

        def deflated(x: np.ndarray) -> np.ndarray:
            # (S - lambda_1 w_1 w_1^T) x without forming the rank-one update
            x = x.ravel()
            return s @ x - (lam1 * (top @ x)) * top

        op = scipy.sparse.linalg.LinearOperator((n, n), matvec=deflated, dtype=np.float64)
        try:
            # Lanczos is ~120 matrix-vector products, each memory-bound and only
            # microseconds of work: split across BLAS threads they spend most of their CPU
            # time synchronising (busy-waiting), and far more when other processes share
            # the cores, so they run on one thread (docs/relatedness.md, Performance).
            with _one_blas_thread():
                val, vec = scipy.sparse.linalg.eigsh(op, k=1, which="LA", tol=0, v0=v0)
            return np.array([val[0], lam1]), np.column_stack([vec[:, 0], top])
        except scipy.sparse.linalg.ArpackNoConvergence:
            pass  # fall back to the dense solver
    return scipy.linalg.eigh(s, subset_by_index=[n - 2, n - 1])


def _one_blas_thread():
    """Context manager limiting the BLAS libraries loaded (NumPy's, SciPy's) to one
    thread; the controller, which scans the loaded libraries, is made once."""
    global _BLAS_CONTROLLER
    if _BLAS_CONTROLLER is None:
        from threadpoolctl import ThreadpoolController

        _BLAS_CONTROLLER = ThreadpoolController()
    return _BLAS_CONTROLLER.limit(limits=1, user_api="blas")


_BLAS_CONTROLLER = None


def eci_pci(presence: np.ndarray, *, solver: Solver = "auto") -> Complexity:
    """ECI and PCI of a 0/1 presence matrix (rows regions, columns activities).

    ``solver``: "auto" (Lanczos from 200 activities on), "eigh" or "lanczos"."""
    if solver not in ("auto", "eigh", "lanczos"):
        raise DataError(f"unknown eigen solver {solver!r}", field="solver")
    m = np.asarray(presence, dtype=np.float64)
    d = m.sum(axis=1)
    u = m.sum(axis=0)
    rows = d > 0
    cols = u > 0
    if rows.sum() < 2 or cols.sum() < 2:
        raise DataError("complexity needs at least two regions and two activities with "
                        "presence (RCA above the threshold)", field="presence")
    mv = m if rows.all() and cols.all() else m[np.ix_(rows, cols)]
    dv, uv = d[rows], u[cols]
    b = mv / np.sqrt(dv)[:, None]
    b /= np.sqrt(uv)[None, :]
    s = b.T @ b
    # S sqrt(u) = sqrt(u): the largest eigenpair is known (M~ is row-stochastic, its
    # top eigenvector constant), so only the second is searched.
    top = np.sqrt(uv) / np.linalg.norm(np.sqrt(uv))
    vals, vecs = _top_two(s, top, solver)
    # Second largest eigenvalue of S (= of M~); back to M~'s eigenvector.
    kp = vecs[:, 0] / np.sqrt(uv)
    kc = (mv @ kp) / dv
    # Sign convention: ECI correlates positively with diversity (a constant diversity or
    # ECI leaves the sign undefined; it is then left as the solver returned it).
    sign = 1.0
    if dv.std() > 0 and kc.std() > 0:
        sign = float(np.sign(np.corrcoef(dv, kc)[0, 1])) or 1.0
    kp, kc = sign * kp, sign * kc
    mean, sd = float(kc.mean()), float(kc.std())
    eci = np.full(m.shape[0], np.nan)
    pci = np.full(m.shape[1], np.nan)
    k_act = np.full(m.shape[1], np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):  # sd = 0: ECI undefined (NaN)
        eci[rows] = (kc - mean) / sd
        pci[cols] = (kp - mean) / sd
    k_act[cols] = kp
    return Complexity(eci, pci, d, u, k_act, mean, sd, (float(vals[1]), float(vals[0])))


def complexity_outlook(presence: np.ndarray, phi: np.ndarray, density: np.ndarray,
                       cx: Complexity) -> tuple[np.ndarray, np.ndarray]:
    """(COI per region, COG per region x activity); see the module docstring.

    Activities present nowhere (NaN PCI) add nothing to COI or COG.
    """
    m = np.asarray(presence, dtype=np.float64)
    k = np.nan_to_num(cx.k_activity, nan=0.0)
    absent = 1.0 - m
    coi_raw = (np.nan_to_num(density) * absent) @ k
    sd = coi_raw.std()
    coi = (coi_raw - coi_raw.mean()) / sd if sd > 0 else np.zeros_like(coi_raw)
    rowsum = phi.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = phi * np.where(rowsum > 0, k / rowsum, 0.0)[:, None]
    cog = absent * (absent @ w) / cx.eci_sd
    return coi, cog
