"""
==================================
Which expressions get confused
==================================

Accuracy alone hides which expressions a model mixes up. We train a HOG
pipeline on synthetic faces and look at its confusion matrix (counts and
shares of each true expression, with the most-confused pairs listed), the ROC
curve of one expression against the rest, and a gallery of its mistakes with
the predicted probabilities.
"""

# %%
# Train and predict
# -----------------
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from fer_features import HOGTransformer, make_synthetic_faces
from fer_features.plotting import (
    BinaryROCDisplay,
    ExpressionConfusionDisplay,
    FaceGalleryDisplay,
)

faces = make_synthetic_faces(900, random_state=2)
X_train, X_test, y_train, y_test = train_test_split(
    faces.data, faces.target, test_size=0.4, stratify=faces.target, random_state=0
)
model = make_pipeline(HOGTransformer(), StandardScaler(), LogisticRegression(C=0.05, max_iter=1000))
model.fit(X_train, y_train)
print(f"test accuracy: {model.score(X_test, y_test):.3f}")

# %%
# Confusion matrix
# ----------------
disp = ExpressionConfusionDisplay.from_estimator(
    model, X_test, y_test, target_names=faces.target_names
)
for true, pred, count, rate in disp.most_confused_pairs_:
    print(f"{true} taken for {pred}: {count} faces ({100 * rate:.0f}%)")

# %%
# One expression against the rest
# --------------------------------
# The class probabilities of a multiclass model give a ROC curve for any
# binary question, such as *happy or not*.
BinaryROCDisplay.from_estimator(
    model, X_test, y_test, positive="happy", target_names=faces.target_names
)

# %%
# The mistakes
# ------------
FaceGalleryDisplay.from_estimator(
    model, X_test, y_test, n_faces=12, select="errors", target_names=faces.target_names
)
