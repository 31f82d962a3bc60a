"""Small, exact statistics for the mental models (pure Python; no scipy at run time).

- `wilson(k, n)`: the Wilson score interval of a proportion (95% by default). Unlike the plain
  "rate +/- 1.96 SE" it stays inside [0, 1] and is honest for small n and for rates near 0 or 1.
- `mann_whitney_u(before, after)`: the two-sided Mann-Whitney U test (do the two samples come
  from the same distribution, or does one tend to be larger?). Exact null distribution when
  there are no ties and n1 + n2 <= `EXACT_MAX_N` (counted with the Gaussian-binomial generating
  function, in integers); otherwise the normal approximation with the tie correction and a
  continuity correction (the same choices as scipy's `method="exact"` / `"asymptotic"`).
- `fisher_exact(a, b, c, d)`: the two-sided Fisher exact test of a 2x2 table [[a, b], [c, d]]
  (p = the total probability of the tables, with the same margins, that are no more likely
  than the observed one; the same rule as scipy and R).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

EXACT_MAX_N = 60


def wilson(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float] | None:
    """95% Wilson score interval for k successes in n trials (None when n == 0)."""
    if n <= 0:
        return None
    p = k / n
    z2 = z * z
    den = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / den
    return max(0.0, centre - half), min(1.0, centre + half)


def _ranks(values: list[float]) -> tuple[list[float], list[int]]:
    """Average ranks (1-based) and the sizes of the tie groups."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    ties: list[int] = []
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        r = (i + j) / 2 + 1
        for t in range(i, j + 1):
            ranks[order[t]] = r
        if j > i:
            ties.append(j - i + 1)
        i = j + 1
    return ranks, ties


def _u_counts(n1: int, n2: int) -> list[int]:
    """c[u] = number of arrangements with U = u (coefficients of the Gaussian binomial [n1+n2, n1]_q)."""
    m = n1 * n2
    c = [0] * (m + 1)
    c[0] = 1
    # prod_{i=1..n1} (1 - q^(n2+i)) / (1 - q^i); each factor keeps c a polynomial of degree <= m
    for i in range(1, n1 + 1):
        s = n2 + i
        for k in range(m, s - 1, -1):
            c[k] -= c[k - s]
        for k in range(i, m + 1):
            c[k] += c[k - i]
    return c


@dataclass
class UTest:
    u: float  # U of the second sample ("after"): the number of (before, after) pairs where after is larger (ties 1/2)
    p: float  # two-sided p-value
    method: str  # exact | normal
    effect: float  # U / (n1 * n2): probability that an "after" value exceeds a "before" value (0.5 = no shift)


def mann_whitney_u(before: list[float], after: list[float]) -> UTest | None:
    """Two-sided Mann-Whitney U test of `after` against `before` (None when a sample is empty)."""
    n1, n2 = len(before), len(after)
    if not n1 or not n2:
        return None
    ranks, ties = _ranks(list(before) + list(after))
    r2 = sum(ranks[n1:])
    u2 = r2 - n2 * (n2 + 1) / 2
    u1 = n1 * n2 - u2
    big = max(u1, u2)
    effect = u2 / (n1 * n2)
    if not ties and n1 + n2 <= EXACT_MAX_N:
        c = _u_counts(n1, n2)
        total = sum(c)
        tail = sum(c[int(round(big)):])
        return UTest(u2, min(1.0, 2 * tail / total), "exact", effect)
    n = n1 + n2
    mu = n1 * n2 / 2
    tie_term = sum(t ** 3 - t for t in ties) / (n * (n - 1))
    var = n1 * n2 / 12 * ((n + 1) - tie_term)
    if var <= 0:  # every value identical
        return UTest(u2, 1.0, "normal", effect)
    z = (big - mu - 0.5) / math.sqrt(var)
    p = math.erfc(z / math.sqrt(2))  # 2 * upper tail
    return UTest(u2, min(1.0, max(0.0, p)), "normal", effect)


def fisher_exact(a: int, b: int, c: int, d: int) -> float:
    """Two-sided Fisher exact p-value of the table [[a, b], [c, d]]."""
    r1, r2, c1 = a + b, c + d, a + c
    n = r1 + r2
    if n == 0:
        return 1.0
    lo, hi = max(0, c1 - r2), min(r1, c1)
    denom = math.comb(n, c1)

    def prob(x: int) -> float:
        return math.comb(r1, x) * math.comb(r2, c1 - x) / denom

    p_obs = prob(a)
    return min(1.0, sum(p for x in range(lo, hi + 1) if (p := prob(x)) <= p_obs * (1 + 1e-7)))
