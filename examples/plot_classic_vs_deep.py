"""
==========================================
Classic pipelines against a CNN
==========================================

:func:`~fer_features.run_benchmark` trains and scores several estimators on
the same data and the same split, and
:class:`~fer_features.plotting.BenchmarkDisplay` compares them. Here a few
classic pipelines meet a small convolutional network trained for only eight
epochs without augmentation, so that the example runs in about a minute on a
CPU: far from what the CNN reaches with real training on real faces. The chart
puts each score beside its fit time, the price of the accuracy. The CNN is left
out when Keras is not installed.
"""

# %%
# The contestants
# ---------------
import importlib.util

from fer_features import make_estimator, make_synthetic_faces, run_benchmark
from fer_features.plotting import BenchmarkDisplay

faces = make_synthetic_faces(1000, random_state=3)
estimators = {
    "eigenfaces-svc": make_estimator("eigenfaces-svc"),
    "lbp-svc": make_estimator("lbp-svc"),
    "hog-logreg": make_estimator("hog-logreg"),
}
if importlib.util.find_spec("keras") is not None:
    from fer_features import KerasCNNClassifier

    estimators["cnn"] = KerasCNNClassifier(
        epochs=8, batch_size=32, augmentation="none", random_state=0, verbose=0
    )
else:
    print("Keras is not installed: the CNN is left out")

# %%
# Run the benchmark
# -----------------
# About a third of the faces held out (split=0.3: one fold of three), whole
# subjects at a time (the synthetic faces have 20), so the scores are for people
# the estimators have never seen.
result = run_benchmark(estimators, faces, split=0.3, random_state=0, verbose=0)
print(result.meta["split"])
print(result.table[["estimator", "accuracy", "macro_f1", "fit_seconds"]])

# %%
# Compare
# -------
disp = BenchmarkDisplay.from_result(result)
