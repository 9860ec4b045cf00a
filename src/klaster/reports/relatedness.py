"""Relatedness and complexity report: one self-contained HTML page (works offline).

``render_relatedness_report`` takes a :class:`klaster.relatedness.RelatednessResult`
(activities, e.g. 6-digit industries) and optionally a second one computed on clusters
(for the network of related clusters), and returns the page. It holds:

* the smart-specialisation quadrant chart (Balland, Boschma, Crespo & Rigby 2019) per
  region: relatedness density (x) against complexity (PCI, y) of every activity the
  region is not yet specialised in, split at the medians into four quadrants;
* the region's top opportunities with their supporting activities
  (:func:`klaster.relatedness.opportunities`);
* a network of related clusters: the maximum spanning tree of the proximity matrix plus
  the strongest other links (as the product space of Hidalgo et al. 2007 is drawn), laid
  out by a seeded force-directed layout (Fruchterman & Reingold 1991).

Plotly's bundled plotly.min.js (PyPI ``plotly``) is inlined; no network request. Text is
escaped by Jinja2 autoescape; data for scripts goes through ``tojson``.
"""

from __future__ import annotations

import datetime as _dt
import html as _html
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
from scipy.sparse.csgraph import minimum_spanning_tree

from klaster.errors import DataError
from klaster.i18n import N_, translator
from klaster.reports.i18n import environment, plotly_locale
from klaster.reports.tables import atomic_write_text

__all__ = ["network_layout", "render_relatedness_report", "write_relatedness_report"]



def _r(x: float, digits: int = 4) -> float | None:
    return None if x is None or not np.isfinite(x) else round(float(x), digits)


def network_edges(phi: np.ndarray, *, extra: int | None = None) -> list[tuple[int, int, float]]:
    """Maximum spanning tree of ``phi`` plus the ``extra`` strongest other links
    (default: as many as there are nodes). Returns (i, j, proximity) with i < j."""
    n = phi.shape[0]
    if n < 2:
        return []
    p = np.array(phi, dtype=float)
    np.fill_diagonal(p, 0.0)
    # Maximum spanning tree = minimum spanning tree of (max + eps - phi) on linked pairs.
    dist = np.where(p > 0, p.max() + 1e-9 - p, 0.0)
    tree = minimum_spanning_tree(dist).tocoo()
    edges = {(int(min(i, j)), int(max(i, j))) for i, j in zip(tree.row, tree.col)}
    iu, ju = np.triu_indices(n, 1)
    order = np.argsort(-p[iu, ju], kind="stable")
    want = n if extra is None else extra
    added = 0
    for k in order:
        if added >= want or p[iu[k], ju[k]] <= 0:
            break
        e = (int(iu[k]), int(ju[k]))
        if e not in edges:
            edges.add(e)
            added += 1
    return sorted((i, j, float(p[i, j])) for i, j in edges)


def network_layout(n: int, edges: list[tuple[int, int, float]], *, seed: int = 0,
                   iterations: int = 300) -> np.ndarray:
    """Force-directed positions (n x 2) by Fruchterman & Reingold (1991), seeded."""
    rng = np.random.default_rng(seed)
    pos = rng.uniform(-1, 1, size=(n, 2))
    if n < 2:
        return pos
    k = np.sqrt(4.0 / n)
    w = np.zeros((n, n))
    for i, j, v in edges:
        w[i, j] = w[j, i] = v
    t = 0.2
    for _ in range(iterations):
        delta = pos[:, None, :] - pos[None, :, :]
        dist = np.maximum(np.sqrt((delta ** 2).sum(-1)), 1e-6)
        # Repulsion k^2/d between all pairs, attraction w d^2/k along the edges.
        force = (k * k / dist ** 2 - w * dist / k)[:, :, None] * delta
        disp = force.sum(axis=1)
        length = np.maximum(np.sqrt((disp ** 2).sum(-1)), 1e-9)
        pos += disp / length[:, None] * np.minimum(length, t)[:, None]
        t = max(t * 0.985, 0.002)
    pos -= pos.mean(axis=0)
    return pos / max(np.abs(pos).max(), 1e-9)


def render_relatedness_report(
    result,
    *,
    cluster_result=None,
    cluster_names: dict[str, str] | None = None,
    activity_names: dict[str, str] | None = None,
    top: int = 10,
    max_regions: int = 60,
    title: str = N_("Relatedness and complexity"),
    source: str = N_("Regional employment statistics"),
    network_caption: str = N_("Clusters linked by co-location (proximity)."),
    language: str = "en",
) -> str:
    """The report page as a string (see the module docstring).

    ``result``: RelatednessResult on activities; ``cluster_result``: RelatednessResult on
    clusters (network section omitted when None); ``max_regions``: the chart and tables
    cover at most this many regions (the largest by total value), said on the page;
    ``network_caption``: first sentence under the network heading; ``language``: en,
    pl, be or ru (texts, numbers, plotly's toolbar; title, source and caption are
    translated when they are catalogue messages, e.g. the defaults).
    """
    tr = translator(language)
    import plotly
    import plotly.offline

    from klaster.relatedness import opportunities

    mx = result.matrix
    names = activity_names or {}
    totals = mx.values.sum(axis=1)
    order = np.argsort(-totals, kind="stable")[:max_regions]
    shown = sorted(order.tolist(), key=lambda i: mx.regions[i])
    shown_codes = [mx.regions[i] for i in shown]
    opp, _sup = opportunities(result, top=top, regions=shown_codes)
    pci = result.complexity.pci
    ok = np.isfinite(pci)
    pci_med = float(np.median(pci[ok]))
    eci = dict(zip(mx.regions, result.complexity.eci))
    regions_data: dict[str, Any] = {}
    for i in shown:
        cand = np.flatnonzero((mx.presence[i] == 0) & ok & np.isfinite(result.density[i]))
        dens = result.density[i, cand]
        regions_data[mx.regions[i]] = {
            "x": [_r(v) for v in dens], "y": [_r(pci[a]) for a in cand],
            "text": [_html.escape(f"{mx.activities[a]} {names.get(mx.activities[a], '')}")
                     for a in cand],
            "xmed": _r(float(np.median(dens))) if dens.size else None,
            "eci": _r(eci[mx.regions[i]], 3),
            "diversity": int(result.complexity.diversity[i]),
        }
    opp_rows: dict[str, list[dict[str, Any]]] = {r: [] for r in shown_codes}
    for row in opp.iter_rows(named=True):
        row["name"] = names.get(row["activity"], "")
        row["quadrant"] = tr.gettext(row["quadrant"])
        opp_rows[row["region"]].append(row)

    network = None
    if cluster_result is not None:
        cm = cluster_result.matrix
        edges = network_edges(cluster_result.proximity)
        pos = network_layout(len(cm.activities), edges)
        size = cm.values.sum(axis=0)
        cn = cluster_names or {}
        network = {
            "x": [_r(v) for v in pos[:, 0]], "y": [_r(v) for v in pos[:, 1]],
            "label": [cn.get(c, c) for c in cm.activities],
            "size": [float(v) for v in size],
            "pci": [_r(v, 3) for v in cluster_result.complexity.pci],
            "edges": [[i, j, round(v, 3)] for i, j, v in edges],
        }

    import platform

    template = environment(language).get_template("relatedness.html.j2")
    return template.render(
        lang=language, plotly_locale=jinja2.utils.markupsafe.Markup(plotly_locale(tr)),
        separators=tr.plotly_separators(),
        text={"facts": tr(N_("ECI %(eci)s · specialised in %(n)s activities"),
                          eci="{eci}", n="{n}"),
              "density": tr(N_("density")), "pci": tr(N_("PCI")),
              "xaxis": tr(N_("Relatedness density")), "yaxis": tr(N_("Complexity (PCI)")),
              "corner": tr(N_("related & complex"))},
        title=tr.gettext(title), source=tr.gettext(source), year=mx.year, method=result.method,
        threshold=mx.threshold, n_regions=len(mx.regions), n_activities=len(mx.activities),
        n_shown=len(shown_codes), regions=shown_codes, regions_data=regions_data,
        opportunities=opp_rows, pci_median=_r(pci_med), network=network,
        eigen=result.complexity.eigenvalues, top=top,
        network_caption=tr.gettext(network_caption),
        generated=_dt.date.today().isoformat(),
        versions=f"plotly {plotly.__version__}, Python {platform.python_version()}",
        plotly_js=jinja2.utils.markupsafe.Markup(
            plotly.offline.get_plotlyjs().replace("</script", "<\\/script")),
    )


def write_relatedness_report(result, path: str | Path, **options: Any) -> Path:
    """Render with :func:`render_relatedness_report` and write atomically to ``path``."""
    path = Path(path)
    if path.suffix.lower() not in (".html", ".htm"):
        raise DataError("the report is an HTML file: use a .html name", file=path)
    atomic_write_text(path, render_relatedness_report(result, **options))
    return path
