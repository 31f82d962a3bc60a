"""Binary logistic regression over sparse named features, as the small shipped models use it
(salescoach.models.logistic scores them at run time): shared by tools/train_objection_check.py and
tools/train_reframe.py."""
from __future__ import annotations

from collections import Counter


def fit(features: list[dict[str, float]], labels: list[bool], c: float, min_count: int,
        sample_weight: list[float] | None = None) -> tuple[dict[str, float], float]:
    """(weights by feature name, bias) of an L2 logistic regression. A word feature ("w:...") must occur in at
    least `min_count` rows; weights are rounded to 5 places and the ones that round to nothing are dropped."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    counts = Counter(k for f in features for k in f if k.startswith("w:"))
    X = [{k: v for k, v in f.items() if not k.startswith("w:") or counts[k] >= min_count} for f in features]
    dv = DictVectorizer()
    lr = LogisticRegression(C=c, max_iter=5000).fit(dv.fit_transform(X), labels, sample_weight=sample_weight)
    weights = {n: round(float(w), 5) for n, w in zip(dv.get_feature_names_out(), lr.coef_[0]) if abs(w) >= 1e-5}
    return dict(sorted(weights.items())), round(float(lr.intercept_[0]), 5)
