"""Tests of fer_features.plotting: every display drawn on the Agg backend from
real fitted objects, with the expected axes, titles and image sizes."""

import subprocess
import sys
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import (  # noqa: E402
    confusion_matrix,
    precision_recall_fscore_support,
    roc_auc_score,
)
from sklearn.pipeline import make_pipeline  # noqa: E402

from fer_features.plotting import (  # noqa: E402
    BenchmarkDisplay,
    BinaryROCDisplay,
    ClassificationReportDisplay,
    EigenfacesDisplay,
    ExplainedVarianceDisplay,
    ExpressionConfusionDisplay,
    FaceGalleryDisplay,
    FeatureMapsDisplay,
    LBPDisplay,
    ReconstructionDisplay,
    most_confused_pairs,
    write_benchmark_plots,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def synthetic():
    from fer_features.datasets import make_synthetic_faces

    return make_synthetic_faces(280, random_state=0)


@pytest.fixture(scope="module")
def eigen(synthetic):
    from fer_features.features import EigenfaceTransformer

    return EigenfaceTransformer(n_components=30, random_state=0).fit(synthetic.data)


@pytest.fixture(scope="module")
def fer_model(fer2013_small):
    """A quick classifier fitted on the real Training faces of the subset."""
    from fer_features.features import EigenfaceTransformer

    train = fer2013_small.usage == "Training"
    model = make_pipeline(
        EigenfaceTransformer(n_components=30, random_state=0),
        LogisticRegression(C=0.1, max_iter=500),
    )
    model.fit(fer2013_small.data[train], fer2013_small.target[train])
    return model


def _visible(axes):
    return [a for a in np.ravel(axes) if a.get_visible()]


# --- import cost -------------------------------------------------------------


def test_import_does_not_import_matplotlib_or_keras():
    code = (
        "import sys, fer_features.plotting; "
        "heavy = [m for m in ('matplotlib', 'keras', 'tensorflow') if m in sys.modules]; "
        "print(heavy); sys.exit(1 if heavy else 0)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


# --- eigenfaces --------------------------------------------------------------


def test_eigenfaces_display_24_panels_of_48x48(eigen):
    disp = EigenfacesDisplay.from_estimator(eigen)
    assert len(disp.ax_) == 25
    assert len(_visible(disp.figure_.axes)) == 25
    assert disp.ax_[0].get_title() == "mean face"
    ratio = eigen.explained_variance_ratio_
    assert disp.ax_[1].get_title() == f"#1 ({100 * ratio[0]:.1f}%)"
    shapes = {im.get_array().shape for im in disp.images_}
    assert shapes == {(48, 48)}
    np.testing.assert_allclose(disp.images_[0].get_array(), eigen.mean_face_)
    np.testing.assert_allclose(disp.images_[5].get_array(), eigen.eigenfaces_[4])
    assert disp.figure_ is disp.ax_[0].figure


def test_eigenfaces_display_from_pipeline_caps_at_fitted(synthetic):
    from fer_features.features import EigenfaceTransformer

    pipe = make_pipeline(
        EigenfaceTransformer(n_components=6, random_state=0), LogisticRegression(max_iter=200)
    )
    pipe.fit(synthetic.data, synthetic.target)
    disp = EigenfacesDisplay.from_estimator(pipe, n_eigenfaces=24)
    assert disp.eigenfaces.shape == (6, 48, 48)
    assert len(disp.ax_) == 7


def test_displays_find_steps_in_searches_and_unions(synthetic):
    from sklearn.dummy import DummyClassifier
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_union

    from fer_features.features import EigenfaceTransformer, LBPTransformer
    from fer_features.preprocessing import ImageStandardizer

    X, y = synthetic.data[:120], synthetic.target[:120]
    pipe = make_pipeline(
        EigenfaceTransformer(n_components=5, random_state=0), LogisticRegression(max_iter=300)
    )
    search = GridSearchCV(pipe, {"logisticregression__C": [0.1, 1.0]}, cv=2).fit(X, y)
    disp = EigenfacesDisplay.from_estimator(search)
    np.testing.assert_allclose(disp.eigenfaces, search.best_estimator_[0].eigenfaces_)
    # LBP inside a union, after a preprocessing step that must be applied first
    lbp = LBPTransformer(grid_shape=(2, 2), normalize=None)
    union_pipe = make_pipeline(
        ImageStandardizer(),
        make_union(EigenfaceTransformer(n_components=3), lbp),
        DummyClassifier(),
    ).fit(X, y)
    disp = LBPDisplay.from_estimator(union_pipe, X, index=1, cell=(1, 1))
    fitted_lbp = union_pipe[1].transformer_list[1][1]
    standardized = union_pipe[0].transform(X[[1]])
    np.testing.assert_array_equal(disp.code_image, fitted_lbp.code_images(standardized)[0])
    np.testing.assert_allclose(disp.image, standardized.reshape(48, 48))


def test_eigenfaces_display_on_real_faces(fer2013_small):
    from fer_features.features import EigenfaceTransformer

    eig = EigenfaceTransformer(n_components=40, random_state=0).fit(fer2013_small.data)
    disp = EigenfacesDisplay.from_estimator(eig)
    assert [im.get_array().shape for im in disp.images_] == [(48, 48)] * 25
    # the mean of real faces is a face: brighter in the middle than in the corners
    mean = disp.mean_face
    assert mean[16:32, 16:32].mean() > mean[:6, :6].mean()


def test_eigenfaces_display_draws_on_given_axes(eigen):
    fig, axes = plt.subplots(2, 4)
    disp = EigenfacesDisplay.from_estimator(eigen, n_eigenfaces=5, ax=axes)
    assert disp.figure_ is fig
    assert len(_visible(axes)) == 6
    with pytest.raises(ValueError, match="draws 6 panels but ax holds only 3 axes"):
        EigenfacesDisplay.from_estimator(eigen, n_eigenfaces=5, ax=axes[0, :3])


def test_eigenfaces_display_rejects_other_estimators(synthetic):
    from sklearn.dummy import DummyClassifier

    model = DummyClassifier().fit(synthetic.data[:50], synthetic.target[:50])
    with pytest.raises(
        ValueError,
        match="needs a fitted EigenfaceTransformer, or a fitted "
        "pipeline containing one; got DummyClassifier",
    ):
        EigenfacesDisplay.from_estimator(model)
    with pytest.raises(ValueError, match="n_eigenfaces must be a positive integer, got 0"):
        EigenfacesDisplay.from_estimator(model, n_eigenfaces=0)


def test_reconstruction_matches_inverse_transform(synthetic):
    from fer_features.features import EigenfaceTransformer

    X = synthetic.data
    eig = EigenfaceTransformer(n_components=8, random_state=0).fit(X)
    disp = ReconstructionDisplay.from_estimator(eig, X, n_components=(3, 8, 100), n_faces=4)
    assert disp.ax_.shape == (4, 3)  # 100 clipped to 8, which is already there
    assert disp.n_components == [3, 8]
    expected = eig.inverse_transform(eig.transform(X[:4])).reshape(4, 48, 48)
    np.testing.assert_allclose(disp.reconstructions[:, 1], expected, atol=1e-6 * 255)
    assert (disp.errors_[:, 1] <= disp.errors_[:, 0] + 1e-9).all()
    assert disp.ax_[0, 1].get_title().startswith("k=3\nRMSE ")


def test_reconstruction_exact_on_tiny_basis():
    # a hand-made transformer-like object: orthonormal basis of 2 pixels of a 2x2 image
    step = SimpleNamespace(
        mean_face_=np.array([[1.0, 1.0], [1.0, 1.0]]),
        eigenfaces_=np.array([[[1.0, 0.0], [0.0, 0.0]], [[0.0, 1.0], [0.0, 0.0]]]),
    )
    X = np.array([[3.0, 5.0, 7.0, 9.0]])
    disp = ReconstructionDisplay.from_estimator(step, X, n_components=(1, 2), n_faces=1)
    np.testing.assert_allclose(disp.reconstructions[0, 0], [[3.0, 1.0], [1.0, 1.0]])
    np.testing.assert_allclose(disp.reconstructions[0, 1], [[3.0, 5.0], [1.0, 1.0]])
    np.testing.assert_allclose(
        disp.errors_[0], [np.sqrt((16 + 36 + 64) / 4), np.sqrt((36 + 64) / 4)]
    )


def test_explained_variance_display(eigen):
    disp = ExplainedVarianceDisplay.from_estimator(eigen)
    np.testing.assert_allclose(disp.line_.get_ydata(), np.cumsum(eigen.explained_variance_ratio_))
    assert disp.ax_.get_title() == "Explained variance"
    tiny = ExplainedVarianceDisplay(np.array([0.5, 0.3, 0.15, 0.05])).plot(
        thresholds=(0.5, 0.9, 0.99)
    )
    assert tiny.n_components_for_ == {0.5: 1, 0.9: 3, 0.99: 4}


# --- LBP ---------------------------------------------------------------------


def test_lbp_display_on_real_face(fer2013_small):
    from fer_features.features import LBPTransformer

    X = fer2013_small.data
    lbp = LBPTransformer(P=8, R=1.0, method="uniform", grid_shape=(6, 6)).fit(X)
    disp = LBPDisplay.from_estimator(lbp, X, index=5, cell=(2, 4))
    assert [a.get_title() for a in disp.ax_] == [
        "face",
        "LBP codes",
        "cells 6x6, cell (2, 4)",
        "histogram of cell (2, 4)",
    ]
    assert disp.ax_[0].get_images()[0].get_array().shape == (48, 48)
    np.testing.assert_array_equal(
        disp.ax_[1].get_images()[0].get_array(), lbp.code_images(X[[5]])[0]
    )
    # 7 horizontal + 7 vertical grid lines, one outlined cell
    assert len(disp.ax_[2].lines) == 14
    assert len(disp.ax_[2].patches) == 1
    # the histogram is that cell's slice of the features
    assert len(disp.histogram) == lbp.n_bins_
    features = lbp.transform(X[[5]])[0].reshape(6, 6, lbp.n_bins_)
    np.testing.assert_allclose(disp.histogram, features[2, 4])
    assert len(disp.ax_[3].patches) == lbp.n_bins_


def test_lbp_display_single_cell_counts_codes(synthetic):
    from fer_features.features import LBPTransformer

    X = synthetic.data[:5]
    lbp = LBPTransformer(method="uniform", grid_shape=(1, 1), normalize=None).fit(X)
    disp = LBPDisplay.from_estimator(lbp, X, index=2)
    codes = lbp.code_images(X[[2]])[0].astype(int).ravel()
    np.testing.assert_array_equal(disp.histogram, np.bincount(codes, minlength=lbp.n_bins_))
    assert disp.histogram.sum() == 48 * 48


def test_lbp_display_errors(synthetic):
    from fer_features.features import LBPTransformer

    X = synthetic.data[:5]
    lbp = LBPTransformer(grid_shape=(3, 3)).fit(X)
    with pytest.raises(ValueError, match=r"cell=\(3, 0\) is outside the 3x3 grid of cells"):
        LBPDisplay.from_estimator(lbp, X, cell=(3, 0))
    with pytest.raises(ValueError, match=r"index=9 is not a face of X \(5 faces\)"):
        LBPDisplay.from_estimator(lbp, X, index=9)


# --- confusion matrix, per-class bars, ROC -----------------------------------


def test_confusion_display_exact_on_tiny_predictions():
    y_true = [0, 0, 0, 1, 1, 2, 2, 2, 2]
    y_pred = [0, 1, 1, 1, 1, 2, 0, 0, 1]
    disp = ExpressionConfusionDisplay.from_predictions(
        y_true, y_pred, target_names=["angry", "happy", "sad"]
    )
    np.testing.assert_array_equal(disp.confusion_matrix, [[1, 2, 0], [0, 2, 0], [2, 1, 1]])
    np.testing.assert_allclose(disp.rates_[2], [0.5, 0.25, 0.25])
    assert disp.text_[2, 0].get_text() == "2\n50%"
    assert disp.text_[0, 1].get_text() == "2\n67%"
    assert [t.get_text() for t in disp.ax_.get_xticklabels()] == ["angry", "happy", "sad"]
    assert disp.most_confused_pairs_[:2] == [("angry", "happy", 2, 2 / 3), ("sad", "angry", 2, 0.5)]
    assert disp.ax_.get_title() == "Confusion matrix (accuracy 0.444, n=9)"
    assert disp.ax_.get_xlabel().splitlines()[-3:] == [
        "angry \u2192 happy: 2 (67%)",
        "sad \u2192 angry: 2 (50%)",
        "sad \u2192 happy: 1 (25%)",
    ]


def test_most_confused_pairs_errors():
    with pytest.raises(ValueError, match=r"confusion_matrix must be square, got shape \(2, 3\)"):
        most_confused_pairs(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="labels has 1 names for a 2x2 matrix"):
        most_confused_pairs(np.eye(2), ["a"])


def test_confusion_display_on_real_faces(fer2013_small, fer_model):
    test = fer2013_small.usage == "PublicTest"
    X, y = fer2013_small.data[test], fer2013_small.target[test]
    disp = ExpressionConfusionDisplay.from_estimator(
        fer_model, X, y, target_names=fer2013_small.target_names
    )
    np.testing.assert_array_equal(
        disp.confusion_matrix, confusion_matrix(y, fer_model.predict(X), labels=range(7))
    )
    assert disp.display_labels == list(fer2013_small.target_names)
    assert disp.text_.shape == (7, 7)
    assert len(disp.figure_.axes) == 2  # matrix and colour bar
    np.testing.assert_allclose(disp.rates_.sum(axis=1), 1.0)


def test_classification_report_display(fer2013_small, fer_model):
    test = fer2013_small.usage == "PublicTest"
    X, y = fer2013_small.data[test], fer2013_small.target[test]
    disp = ClassificationReportDisplay.from_estimator(
        fer_model, X, y, target_names=fer2013_small.target_names
    )
    p, r, f, s = precision_recall_fscore_support(
        y, fer_model.predict(X), labels=range(7), zero_division=0
    )
    np.testing.assert_allclose(disp.precision, p)
    np.testing.assert_allclose(disp.recall, r)
    np.testing.assert_allclose(disp.f1, f)
    assert set(disp.bars_) == {"precision", "recall", "f1"}
    assert all(len(b) == 7 for b in disp.bars_.values())
    assert [b.get_height() for b in disp.bars_["recall"]] == pytest.approx(list(r))
    ticks = [t.get_text() for t in disp.ax_.get_xticklabels()]
    assert ticks[3] == f"{fer2013_small.target_names[3]}\n(n={s[3]})"


def test_binary_roc_happy_vs_rest(fer2013_small, fer_model):
    names = list(fer2013_small.target_names)
    test = fer2013_small.usage == "PublicTest"
    X, y = fer2013_small.data[test], fer2013_small.target[test]
    disp = BinaryROCDisplay.from_estimator(fer_model, X, y, positive="happy", target_names=names)
    happy = names.index("happy")
    expected = roc_auc_score(y == happy, fer_model.predict_proba(X)[:, happy])
    assert disp.roc_auc == pytest.approx(expected)
    assert disp.ax_.get_title() == "ROC: happy vs rest"
    assert disp.line_.get_xdata()[0] == 0 and disp.line_.get_ydata()[-1] == 1
    with pytest.raises(ValueError, match="positive='joy' is neither a class"):
        BinaryROCDisplay.from_estimator(fer_model, X, y, positive="joy", target_names=names)


def test_binary_roc_exact_and_one_class_error():
    disp = BinaryROCDisplay.from_predictions([1, 0, 1, 0], [0.9, 0.1, 0.4, 0.5], positive=1)
    assert disp.roc_auc == 0.75
    with pytest.raises(ValueError, match="needs faces of both 'happy' and other classes"):
        BinaryROCDisplay.from_predictions(["happy", "happy"], [0.1, 0.2], positive="happy")


# --- gallery -----------------------------------------------------------------


def test_face_gallery_errors_first(fer2013_small, fer_model):
    names = list(fer2013_small.target_names)
    test = fer2013_small.usage == "PublicTest"
    X, y = fer2013_small.data[test], fer2013_small.target[test]
    disp = FaceGalleryDisplay.from_estimator(
        fer_model, X, y, n_faces=10, select="errors", target_names=names
    )
    assert len(disp.ax_) == 10
    assert [a.get_images()[0].get_array().shape for a in disp.ax_] == [(48, 48)] * 10
    n_wrong = int((fer_model.predict(X) != y).sum())
    assert disp.correct_.tolist() == [False] * min(10, n_wrong) + [True] * (10 - min(10, n_wrong))
    title = disp.ax_[0].get_title()
    pred = disp.y_pred[0]
    assert title.startswith(f"true {names[disp.y_true[0]]}\npred {names[pred]} ")
    assert disp.ax_[0].title.get_color() == "tab:red"
    assert disp.ax_[0].get_xlabel().count("\n") == 2  # top three probabilities


def test_face_gallery_first_faces_probabilities(synthetic):
    from fer_features.features import EigenfaceTransformer

    X, y = synthetic.data[:200], synthetic.target[:200]
    model = make_pipeline(
        EigenfaceTransformer(n_components=10, random_state=0), LogisticRegression(max_iter=500)
    ).fit(X, y)
    disp = FaceGalleryDisplay.from_estimator(
        model, X, y, n_faces=4, target_names=synthetic.target_names
    )
    proba = model.predict_proba(X[:4])
    np.testing.assert_allclose(disp.y_proba, proba)
    p0 = proba[0, np.flatnonzero(model.classes_ == disp.y_pred[0])[0]]
    assert disp.ax_[0].get_title().endswith(f"{100 * p0:.0f}%")
    with pytest.raises(ValueError, match="select='errors' needs the true labels y"):
        FaceGalleryDisplay.from_estimator(model, X, select="errors")


# --- benchmark ---------------------------------------------------------------


def _fake_result():
    table = pd.DataFrame(
        {
            "estimator": ["lbp-svc", "lbp-svc", "hog-xgb", "hog-xgb", "broken"],
            "status": ["ok", "ok", "ok", "ok", "failed"],
            "accuracy": [0.6, 0.7, 0.5, 0.5, np.nan],
            "macro_f1": [0.5, 0.6, 0.4, 0.4, np.nan],
            "fit_seconds": [2.0, 4.0, 10.0, 10.0, np.nan],
        }
    )
    cms = {
        "lbp-svc": (np.array([[5, 1], [2, 4]]), ["sad", "happy"]),
        "hog-xgb": (np.array([[4, 2], [3, 3]]), ["sad", "happy"]),
        "broken": None,
    }
    return SimpleNamespace(table=table, confusion_matrices=cms)


def test_benchmark_display_means_per_estimator():
    disp = BenchmarkDisplay.from_result(_fake_result())
    assert disp.failed_ == ["broken"]
    assert disp.summary_["estimator"].tolist() == ["lbp-svc", "hog-xgb"]
    np.testing.assert_allclose(disp.summary_["accuracy"], [0.65, 0.5])
    np.testing.assert_allclose(disp.summary_["fit_seconds"], [3.0, 10.0])
    assert len(disp.ax_) == 2
    assert [p.get_width() for p in disp.ax_[0].containers[0]] == pytest.approx([0.65, 0.5])
    assert disp.figure_.get_suptitle() == "Benchmark (failed: broken)"
    assert disp.ax_[1].get_xscale() == "log"


def test_benchmark_display_missing_column():
    with pytest.raises(ValueError, match=r"lacks the column\(s\) \['macro_f1'\]"):
        BenchmarkDisplay(
            pd.DataFrame({"estimator": ["a"], "accuracy": [1.0], "fit_seconds": [1.0]})
        ).plot()


def _assert_png(path):
    from PIL import Image

    with open(path, "rb") as fh:
        assert fh.read(8) == PNG_SIGNATURE
    with Image.open(path) as img:
        img.verify()


def test_write_benchmark_plots_fake_result(tmp_path):
    paths = write_benchmark_plots(_fake_result(), tmp_path / "out")
    assert [p.name for p in paths] == [
        "benchmark.png",
        "confusion_lbp-svc.png",
        "confusion_hog-xgb.png",
    ]
    for p in paths:
        _assert_png(p)
    assert plt.get_fignums() == []  # figures are closed after writing


def test_write_benchmark_plots_real_result(tmp_path, synthetic):
    benchmark = pytest.importorskip("fer_features.benchmark")
    from sklearn.dummy import DummyClassifier
    from sklearn.model_selection import StratifiedShuffleSplit

    from fer_features.features import EigenfaceTransformer

    estimators = {
        "eigen-logreg": make_pipeline(
            EigenfaceTransformer(n_components=10, random_state=0), LogisticRegression(max_iter=500)
        ),
        "dummy": DummyClassifier(strategy="prior"),
    }
    result = benchmark.run_benchmark(
        estimators,
        synthetic,
        split=StratifiedShuffleSplit(n_splits=1, test_size=0.3, random_state=0),
        random_state=0,
        verbose=0,
    )
    paths = write_benchmark_plots(result, tmp_path)
    assert {p.name for p in paths} == {
        "benchmark.png",
        "confusion_eigen-logreg.png",
        "confusion_dummy.png",
    }
    for p in paths:
        _assert_png(p)


# --- CNN feature maps ----------------------------------------------------------


@pytest.mark.deep
def test_cnn_feature_maps(synthetic):
    pytest.importorskip("keras")
    from fer_features.deep import KerasCNNClassifier

    X, y = synthetic.data[:140], synthetic.target[:140]
    cnn = KerasCNNClassifier(epochs=1, batch_size=32, random_state=0, verbose=0).fit(X, y)
    disp = FeatureMapsDisplay.from_estimator(cnn, X, index=3, n_maps=4)
    n_layers = len(disp.feature_maps)
    assert 1 <= n_layers <= 4
    assert disp.ax_.shape == (n_layers, 5)
    assert disp.ax_[0, 0].get_images()[0].get_array().shape == (48, 48)
    for row, fmap in enumerate(disp.feature_maps):
        assert fmap.ndim == 3
        assert disp.ax_[row, 0].get_title() == disp.layer_names[row]
        shown = disp.ax_[row, 1].get_images()[0].get_array()
        np.testing.assert_allclose(shown, fmap[..., disp.channels_[row][0]])
    first = disp.layer_names[0]
    one = FeatureMapsDisplay.from_estimator(cnn, X, index=3, layers=[first], n_maps=2)
    np.testing.assert_allclose(one.feature_maps[0], disp.feature_maps[0], atol=1e-5)
    with pytest.raises(ValueError, match="the model has no layer named 'nope'"):
        FeatureMapsDisplay.from_estimator(cnn, X, layers=["nope"])


def test_write_eigenfaces_plot_writes_where_asked(tmp_path):
    from fer_features.datasets import make_synthetic_faces
    from fer_features.plotting import write_eigenfaces_plot

    X, _ = make_synthetic_faces(40, random_state=0, return_X_y=True)
    disp = write_eigenfaces_plot(X, f"{tmp_path / 'pics'}/", n_components=4)
    assert disp.path_ == tmp_path / "pics" / "eigenfaces.png"
    assert disp.path_.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not (tmp_path / "pics.png").exists()
    with pytest.raises(ValueError, match="it has no extension"):
        write_eigenfaces_plot(X, tmp_path / "noext", n_components=4)
    assert not (tmp_path / "noext").exists()
