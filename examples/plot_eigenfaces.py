"""
==========
Eigenfaces
==========

Principal component analysis of face pixels gives *eigenfaces*: images whose
weighted sums, added to the mean face, rebuild every face. Here we fit
:class:`~fer_features.EigenfaceTransformer` on synthetic faces, look at the
mean face and the first eigenfaces, rebuild faces from a few components and
see how much of the variance each component explains.
"""

# %%
# Fit the eigenfaces
# ------------------
from fer_features import EigenfaceTransformer, make_synthetic_faces
from fer_features.plotting import (
    EigenfacesDisplay,
    ExplainedVarianceDisplay,
    ReconstructionDisplay,
)

faces = make_synthetic_faces(600, random_state=0)
eigenfaces = EigenfaceTransformer(n_components=60, random_state=0).fit(faces.data)
print("eigenfaces:", eigenfaces.eigenfaces_.shape)

# %%
# The mean face and the first 24 eigenfaces
# -----------------------------------------
# The first eigenfaces carry the largest changes between faces: lighting,
# position and size, then the shapes of mouth, eyes and brows that tell
# expressions apart.
EigenfacesDisplay.from_estimator(eigenfaces, n_eigenfaces=24)

# %%
# Faces rebuilt from k components
# -------------------------------
# A handful of components already give the outline; the expression needs more.
ReconstructionDisplay.from_estimator(
    eigenfaces, faces.data, n_components=(3, 10, 30, 60), n_faces=4
)

# %%
# Explained variance
# ------------------
disp = ExplainedVarianceDisplay.from_estimator(eigenfaces)
print("components needed:", disp.n_components_for_)
