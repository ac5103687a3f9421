"""
=====================================
Tuning an LBP pipeline by grid search
=====================================

Every step of a ``fer_features`` pipeline is a scikit-learn estimator, so
:class:`~sklearn.model_selection.GridSearchCV` tunes feature parameters
(here the LBP grid of cells) together with the classifier's (the SVM's ``C``).
"""

# %%
# Search
# ------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from fer_features import LBPTransformer, make_synthetic_faces

X, y = make_synthetic_faces(500, random_state=1, return_X_y=True)

pipe = Pipeline(
    [
        ("lbp", LBPTransformer(method="uniform")),
        ("scale", StandardScaler()),
        ("svc", SVC()),
    ]
)
grid = {
    "lbp__grid_shape": [(3, 3), (6, 6)],
    "svc__C": [0.1, 1, 10],
}
search = GridSearchCV(
    pipe, grid, scoring="f1_macro", cv=StratifiedKFold(3, shuffle=True, random_state=0)
)
search.fit(X, y)
print("best:", search.best_params_, f"macro-F1 {search.best_score_:.3f}")

# %%
# The scores as a table
# ---------------------
scores = search.cv_results_["mean_test_score"].reshape(
    len(grid["lbp__grid_shape"]), len(grid["svc__C"])
)
fig, ax = plt.subplots(figsize=(5, 3))
im = ax.imshow(scores, cmap="viridis")
ax.set_xticks(np.arange(len(grid["svc__C"])), labels=[str(c) for c in grid["svc__C"]])
ax.set_yticks(
    np.arange(len(grid["lbp__grid_shape"])),
    labels=[f"{r}x{c} cells" for r, c in grid["lbp__grid_shape"]],
)
ax.set_xlabel("SVC C")
for (i, j), value in np.ndenumerate(scores):
    ax.text(j, i, f"{value:.2f}", ha="center", va="center", color="w")
fig.colorbar(im, label="mean macro-F1")
ax.set_title("Grid search")
fig.tight_layout()
