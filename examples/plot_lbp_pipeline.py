"""
======================================
Local binary patterns and a classifier
======================================

A local binary pattern (LBP) codes every pixel by comparing it with a ring of
neighbours; counting the codes in a grid of cells gives a texture description
of the face that is robust to lighting. We look at the codes of one face, then
put :class:`~fer_features.LBPTransformer` in a scikit-learn pipeline with a
support vector machine and cross-validate it against raw pixels.
"""

# %%
# One face, its codes and a cell's histogram
# ------------------------------------------
from sklearn.model_selection import cross_val_predict, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from fer_features import LBPTransformer, make_synthetic_faces
from fer_features.plotting import ClassificationReportDisplay, LBPDisplay

faces = make_synthetic_faces(700, random_state=0)
X, y = faces.data, faces.target

lbp = LBPTransformer(P=8, R=1.0, method="uniform", grid_shape=(6, 6)).fit(X)
LBPDisplay.from_estimator(lbp, X, index=0, cell=(3, 2))

# %%
# LBP histograms against raw pixels
# ---------------------------------
lbp_svc = make_pipeline(
    LBPTransformer(method="uniform", grid_shape=(6, 6)), StandardScaler(), SVC(C=10)
)
pixels_svc = make_pipeline(StandardScaler(), SVC(C=10))
for name, model in [("pixels", pixels_svc), ("LBP", lbp_svc)]:
    scores = cross_val_score(model, X, y, cv=3)
    print(f"{name:>6} + SVC: accuracy {scores.mean():.3f} +/- {scores.std():.3f}")

# %%
# Which expressions the LBP model gets right
# ------------------------------------------
y_pred = cross_val_predict(lbp_svc, X, y, cv=3)
ClassificationReportDisplay.from_predictions(y, y_pred, target_names=faces.target_names)
