"""Named classic pipelines, their grids, the search helper and LabelEncodedClassifier."""

import numpy as np
import pytest
from _recipe import SMALL_WORDS
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.decomposition import PCA
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import FeatureUnion
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils.class_weight import compute_sample_weight

from fer_features.benchmark import describe_estimator
from fer_features.features import EigenfaceTransformer, HOGTransformer, LBPTransformer
from fer_features.pipelines import (
    CLASSIFIERS,
    LabelEncodedClassifier,
    make_classic_pipeline,
    make_recommended_pipeline,
    make_texture_pipeline,
)
from fer_features.registry import (
    grid_search,
    list_estimators,
    make_estimator,
    param_grid,
    parse_name,
    quick_params,
)


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """One BLAS / OpenMP thread: on a shared machine over-subscribed OpenMP threads
    slow boosting down many times over."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        yield


@pytest.fixture(scope="module")
def faces():
    """Small synthetic faces: 315 for training, 105 for testing."""
    from fer_features.datasets._synthetic import make_synthetic_faces

    data = make_synthetic_faces(420, random_state=0)
    return data.data[:315], data.target[:315], data.data[315:], data.target[315:]


# ----------------------------------------------------------------------- names
@pytest.mark.parametrize(
    "name, expected",
    [
        ("lbp-svc", ("lbp", "svc")),
        ("hog-xgb", ("hog", "xgb")),
        ("eigenfaces-linear-svc", ("eigenfaces", "linear-svc")),
        ("lbp+hog-logreg", ("lbp+hog", "logreg")),
        ("pixels+lbp+hog-gb", ("pixels+lbp+hog", "gb")),
        ("classic", (None, "classic")),
        ("cnn", (None, "cnn")),
    ],
)
def test_parse_name(name, expected):
    assert parse_name(name) == expected


@pytest.mark.parametrize(
    "name, message",
    [
        ("lbp", "unknown estimator 'lbp'"),
        ("lbp-knn", "unknown estimator 'lbp-knn'"),
        ("sift-svc", "unknown features 'sift' in 'sift'"),
        ("lbp+lbp-svc", "names 'lbp' twice"),
        ("-svc", "features must be a name"),
        (3, "must be a string"),
    ],
)
def test_parse_name_errors(name, message):
    with pytest.raises(ValueError, match=message):
        parse_name(name)


def test_list_estimators_names_build_and_describe():
    infos = list_estimators()
    names = [info.name for info in infos]
    assert len(names) == len(set(names))
    expected = {
        f"{f}-{c}" for f in ("pixels", "eigenfaces", "lbp", "hog", "lbp+hog") for c in CLASSIFIERS
    } | {"classic", "cnn"}
    assert set(names) == expected
    for info in infos:
        assert info.description and "\n" not in info.description
        assert info.available == (info.reason == "")
        if info.name != "cnn":
            assert info.available
            assert hasattr(make_estimator(info.name), "fit")


def test_cnn_unavailable_is_explained():
    cnn = [info for info in list_estimators() if info.name == "cnn"][0]
    if cnn.available:
        pytest.skip("the CNN is available here")
    with pytest.raises(ImportError, match="estimator 'cnn' is not available"):
        make_estimator("cnn")


def test_make_estimator_profiles():
    assert make_estimator("lbp-rf").named_steps["clf"].n_estimators == 300
    assert make_estimator("lbp-rf", profile="quick").named_steps["clf"].n_estimators == 100
    # explicit parameters win over the profile's
    pipe = make_estimator("lbp-rf", profile="quick", clf__n_estimators=7)
    assert pipe.named_steps["clf"].n_estimators == 7
    assert quick_params("hog-xgb") == {
        "clf__estimator__n_estimators": 60,
        "clf__estimator__max_depth": 4,
        "clf__estimator__max_bin": 64,
    }
    assert make_estimator("hog-xgb", profile="quick").get_params()["clf__estimator__max_bin"] == 64
    assert quick_params("lbp-svc") == {}
    with pytest.raises(ValueError, match="unknown profile 'fast'"):
        make_estimator("lbp-rf", profile="fast")


# ------------------------------------------------------------------- structure
def test_pipeline_steps_and_defaults():
    svc = make_classic_pipeline("lbp", "svc")
    assert [n for n, _ in svc.steps] == ["features", "scale", "reduce", "clf"]
    assert isinstance(svc.named_steps["features"], LBPTransformer)
    assert svc.named_steps["features"].method == "nri_uniform"
    assert isinstance(svc.named_steps["scale"], StandardScaler)
    assert isinstance(svc.named_steps["reduce"], PCA)
    assert svc.named_steps["clf"].estimator.class_weight == "balanced"

    trees = make_classic_pipeline("hog", "rf")
    assert isinstance(trees.named_steps["features"], HOGTransformer)
    assert trees.named_steps["scale"] == "passthrough"
    assert trees.named_steps["reduce"] == "passthrough"

    eig = make_classic_pipeline("eigenfaces", "svc")
    assert isinstance(eig.named_steps["features"], EigenfaceTransformer)
    assert eig.named_steps["reduce"] == "passthrough"  # already a PCA

    assert make_classic_pipeline("pixels", "logreg").named_steps["features"] == "passthrough"
    union = make_classic_pipeline("lbp+hog", "linear-svc")
    assert isinstance(union.named_steps["features"], FeatureUnion)
    assert [n for n, _ in union.named_steps["features"].transformer_list] == ["lbp", "hog"]


def test_every_classifier_has_balanced_weights():
    for clf in set(CLASSIFIERS) - {"gb"}:  # gb: class weights make it far slower
        params = make_classic_pipeline("pixels", clf).get_params(deep=True)
        weights = {k: v for k, v in params.items() if k.endswith("class_weight")}
        assert weights and set(weights.values()) <= {"balanced", "balanced_subsample"}, clf


def test_defaults_and_params():
    assert describe_estimator(make_classic_pipeline()) == describe_estimator(
        make_recommended_pipeline()
    )
    # one of the two names given: the other defaults to lbp / svc
    assert describe_estimator(make_classic_pipeline(classifier="svc")) == describe_estimator(
        make_classic_pipeline("lbp", "svc")
    )
    assert describe_estimator(make_classic_pipeline("hog")) == describe_estimator(
        make_classic_pipeline("hog", "svc")
    )
    pipe = make_classic_pipeline("lbp+hog", "svc", features__lbp__P=16, clf__estimator__C=3.0)
    assert pipe.named_steps["features"].transformer_list[0][1].P == 16
    assert pipe.named_steps["clf"].estimator.C == 3.0
    shaped = make_classic_pipeline("lbp+hog", "rf", image_shape=(40, 30))
    assert shaped.get_params()["features__lbp__image_shape"] == (40, 30)
    assert shaped.get_params()["features__hog__image_shape"] == (40, 30)
    assert describe_estimator(make_estimator("hog-gb")) == describe_estimator(
        make_classic_pipeline("hog", "gb")
    )


@pytest.mark.parametrize(
    "features, classifier, message",
    [
        ("lbp", "knn", "unknown classifier 'knn'"),
        ("gabor", "svc", "unknown features 'gabor'"),
        ("hog+hog", "svc", "names 'hog' twice"),
    ],
)
def test_make_classic_pipeline_errors(features, classifier, message):
    with pytest.raises(ValueError, match=message):
        make_classic_pipeline(features, classifier)


# ------------------------------------------------------------ fit and predict
# fast settings, and the least accuracy on 105 unseen synthetic faces (chance is
# 1/7 = 0.14; the values measured were 0.05 to 0.1 higher: pixels and eigenfaces
# are weak on these faces by design, local features strong)
# (pixels-rf: 100 trees; with 20 it scored 0.24 on scikit-learn 1.9.1 but 0.16 on
# 1.8.0, with 100 it scores 0.26 and 0.29)
@pytest.mark.parametrize(
    "name, params, least",
    [
        ("pixels-rf", {"clf__n_estimators": 100}, 0.19),
        ("eigenfaces-svc", {}, 0.16),
        ("lbp-logreg", {}, 0.28),
        ("hog-xgb", {"clf__estimator__n_estimators": 8, "clf__estimator__n_jobs": 1}, 0.28),
        ("hog-gb", {"clf__max_iter": 15}, 0.28),
        ("lbp+hog-linear-svc", {}, 0.4),
        ("hog-svc", {}, 0.33),
    ],
)
def test_pipelines_fit_predict_proba_on_synthetic_faces(faces, name, params, least):
    X_train, y_train, X_test, y_test = faces
    pipe = make_estimator(name, **params).fit(X_train, y_train)
    np.testing.assert_array_equal(pipe.classes_, np.arange(7))
    pred = pipe.predict(X_test)
    assert pred.shape == (105,)
    proba = pipe.predict_proba(X_test)
    assert proba.shape == (105, 7)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    assert proba.min() >= 0
    assert np.mean(pred == y_test) > least, name


def test_xgb_pipeline_accepts_string_labels(faces):
    X_train, y_train, X_test, _ = faces
    names = np.array(["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"])
    pipe = make_estimator("hog-xgb", clf__estimator__n_estimators=5, clf__estimator__n_jobs=1)
    pipe.fit(X_train, names[y_train])
    np.testing.assert_array_equal(pipe.classes_, np.sort(names))
    assert set(pipe.predict(X_test)) <= set(names)


@pytest.mark.fer2013
@pytest.mark.parametrize(
    "name, params",
    [
        ("hog-logreg", {}),
        ("lbp-rf", {"clf__n_estimators": 100}),
    ],
)
def test_pipelines_on_real_faces(fer2013_small, name, params):
    train = fer2013_small.usage == "Training"
    test = fer2013_small.usage == "PublicTest"
    pipe = make_estimator(name, **params)
    pipe.fit(fer2013_small.data[train], fer2013_small.target[train])
    pred = pipe.predict(fer2013_small.data[test])
    proba = pipe.predict_proba(fer2013_small.data[test])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    # 7 balanced-ish classes from 60 training faces each: above chance (0.14)
    assert np.mean(pred == fer2013_small.target[test]) > 0.2, name


# ---------------------------------------------------------------------- grids
def _grid_names():
    return [info.name for info in list_estimators() if info.available]


@pytest.mark.parametrize("name", _grid_names())
def test_param_grid_keys_are_parameters(name):
    estimator = make_estimator(name)
    grid = param_grid(name)
    assert grid
    params = estimator.get_params(deep=True)
    for key, values in grid.items():
        assert key in params, key
        assert len(values) >= 2
        for value in values:
            trial = clone(estimator).set_params(**{key: value})
            assert trial.get_params(deep=True)[key] == value
    # a pipeline gives the grid of its name
    assert param_grid(estimator) == grid


def test_param_grid_contents():
    assert param_grid("hog-xgb") == {
        "features__pixels_per_cell": [(6, 6), (8, 8)],
        "clf__estimator__max_depth": [4, 6],
        "clf__estimator__learning_rate": [0.1, 0.3],
    }
    grid = param_grid("lbp+hog-logreg")
    assert set(grid) == {"features__lbp__grid_shape", "features__hog__pixels_per_cell", "clf__C"}


def test_param_grid_unknown_estimator():
    with pytest.raises(ValueError, match="no parameter grid is known for DummyClassifier"):
        from sklearn.dummy import DummyClassifier

        param_grid(DummyClassifier())


def test_grid_search_macro_f1_stratified(faces, capsys):
    X_train, y_train, _, _ = faces
    search = grid_search(
        "pixels-logreg", X_train, y_train, param_grid={"clf__C": [0.001, 0.01]}, cv=3, verbose=1
    )
    assert search.scoring == "f1_macro"
    assert isinstance(search.cv, StratifiedKFold) and search.cv.shuffle
    assert search.best_params_["clf__C"] in (0.001, 0.01)
    assert len(search.cv_results_["params"]) == 2
    assert hasattr(search.best_estimator_, "predict_proba")
    err = capsys.readouterr().err
    assert "2 candidates" in err and "best macro-F1" in err


def test_grid_search_halving_and_default_grid(faces):
    X_train, y_train, _, _ = faces
    from sklearn.experimental import enable_halving_search_cv  # noqa: F401
    from sklearn.model_selection import HalvingGridSearchCV

    pipe = make_estimator("eigenfaces-logreg")
    search = grid_search(pipe, X_train, y_train, cv=2, verbose=0, halving=True)
    assert isinstance(search, HalvingGridSearchCV)
    assert set(search.best_params_) == set(param_grid(pipe))


# ---------------------------------------------------- LabelEncodedClassifier
class _WeightRecorder(ClassifierMixin, BaseEstimator):
    """Predicts the first class; remembers the labels and weights it was given."""

    def fit(self, X, y, sample_weight=None):
        self.y_seen_ = np.asarray(y)
        self.sample_weight_ = sample_weight
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.zeros(len(X), dtype=int)


def test_label_encoded_classifier_encodes_and_weighs():
    X = np.arange(6, dtype=float).reshape(-1, 1)
    y = np.array(["b", "b", "b", "z", "a", "a"])
    clf = LabelEncodedClassifier(_WeightRecorder(), class_weight="balanced").fit(X, y)
    np.testing.assert_array_equal(clf.estimator_.y_seen_, [1, 1, 1, 2, 0, 0])
    np.testing.assert_allclose(clf.estimator_.sample_weight_, compute_sample_weight("balanced", y))
    np.testing.assert_allclose(clf.estimator_.sample_weight_, [2 / 3, 2 / 3, 2 / 3, 2, 1, 1])
    np.testing.assert_array_equal(clf.predict(X[:2]), ["a", "a"])
    # sample weights multiply the class weights, which count weighted samples
    clf.fit(X, y, sample_weight=np.full(6, 2.0))
    np.testing.assert_allclose(
        clf.estimator_.sample_weight_, 2 * compute_sample_weight("balanced", y)
    )
    clf.fit(X, y, sample_weight=[1, 1, 1, 1, 3, 3])  # as if "a" were there 6 times
    np.testing.assert_allclose(
        clf.estimator_.sample_weight_, [10 / 9, 10 / 9, 10 / 9, 10 / 3, 10 / 18 * 3, 10 / 18 * 3]
    )
    assert not hasattr(clf, "predict_proba")  # the recorder has none
    unweighted = LabelEncodedClassifier(_WeightRecorder()).fit(X, y)
    assert unweighted.estimator_.sample_weight_ is None


def test_label_encoded_xgboost_with_gapped_labels():
    from xgboost import XGBClassifier

    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = np.array([1, 2, 5])[(X[:, 0] > 0).astype(int) + (X[:, 1] > 1).astype(int)]
    clf = LabelEncodedClassifier(XGBClassifier(n_estimators=10, n_jobs=1)).fit(X, y)
    np.testing.assert_array_equal(clf.classes_, np.unique(y))
    assert set(clf.predict(X)) <= {1, 2, 5}
    assert clf.predict_proba(X).shape == (60, len(np.unique(y)))
    assert clf.score(X, y) > 0.9


# ------------------------------------------- single class, calibration, seeds
def test_every_classifier_refuses_a_single_class_like_svc(faces):
    X = faces[0][:20]
    y = np.zeros(20, dtype=int)
    with pytest.raises(ValueError) as svc_error:
        make_estimator("hog-svc").fit(X, y)
    message = "The number of classes has to be greater than one; got 1 class"
    assert str(svc_error.value) == message
    for name in ("hog-xgb", "pixels-xgb"):
        with pytest.raises(ValueError) as error:
            make_estimator(name, clf__estimator__n_estimators=2).fit(X, y)
        assert str(error.value) == message, name
    with pytest.raises(ValueError, match=message):
        LabelEncodedClassifier(DecisionTreeClassifier()).fit(X, y)


class _CountingSVC(SVC):
    """An SVC that records the number of rows of every fit."""

    fits = []

    def fit(self, X, y, sample_weight=None):
        _CountingSVC.fits.append(len(X))
        return super().fit(X, y, sample_weight=sample_weight)


@pytest.mark.parametrize("name", ["hog-svc", "eigenfaces-svc", "classic"])
def test_svc_is_fitted_once_and_calibrated_on_a_holdout(faces, name):
    X_train, y_train, X_test, _ = faces
    _CountingSVC.fits.clear()
    svc = _CountingSVC(class_weight="balanced")
    # the recipe's SVC is its texture half's
    params = {"texture__clf__estimator": svc, **SMALL_WORDS} if name == "classic" else {}
    pipe = make_estimator(name, **(params or {"clf__estimator": svc}))
    pipe.fit(X_train, y_train)
    # 5% of the 315 faces (16, rounded up) held out for the temperature
    assert _CountingSVC.fits == [315 - 16]
    np.testing.assert_allclose(pipe.predict_proba(X_test).sum(axis=1), 1.0, rtol=1e-6)


def test_linear_svc_is_fitted_once(faces):
    from sklearn.svm import LinearSVC

    calls = []

    class CountingLinearSVC(LinearSVC):
        def fit(self, X, y, sample_weight=None):
            calls.append(len(X))
            return super().fit(X, y, sample_weight=sample_weight)

    X_train, y_train, _, _ = faces
    make_estimator("hog-linear-svc", clf__estimator=CountingLinearSVC()).fit(X_train, y_train)
    assert calls == [315 - 16]


def test_holdout_keeps_one_image_per_class_out():
    from fer_features.pipelines._calibration import HoldoutSplit

    y = np.repeat(np.arange(7), 3)  # 21 images: 5% would be 2, fewer than 7 classes
    ((train, held_out),) = HoldoutSplit(random_state=3).split(np.zeros((21, 1)), y)
    np.testing.assert_array_equal(np.bincount(y[held_out]), np.ones(7))
    np.testing.assert_array_equal(np.bincount(y[train]), np.full(7, 2))
    assert set(train) | set(held_out) == set(range(21))
    # with many images: 5%, rounded up, as StratifiedShuffleSplit(test_size=0.05)
    y = np.repeat(np.arange(7), 100)
    ((train, held_out),) = HoldoutSplit().split(np.zeros((700, 1)), y)
    assert len(held_out) == 35 and len(train) == 665


@pytest.mark.parametrize(
    "name",
    ["classic", "hog-svc", "eigenfaces-svc", "lbp-linear-svc", "hog-xgb", "hog-rf", "hog-gb"],
)
def test_same_seed_same_probabilities(faces, name):
    X_train, y_train, X_test, _ = faces
    params = {
        "hog-xgb": {"clf__estimator__n_estimators": 10},
        "hog-rf": {"clf__n_estimators": 20},
        "hog-gb": {"clf__max_iter": 10},
        "classic": SMALL_WORDS,
    }.get(name, {})
    first = make_estimator(name, random_state=1, **params).fit(X_train, y_train)
    second = make_estimator(name, random_state=1, **params).fit(X_train, y_train)
    np.testing.assert_array_equal(first.predict_proba(X_test), second.predict_proba(X_test))
    # the seed reaches every randomised step
    seeds = {
        k: v
        for k, v in first.get_params(deep=True).items()
        if k.endswith("random_state") and v is not None
    }
    assert seeds and set(seeds.values()) == {1}, seeds


# ------------------------------------------------------- the recipe's grid
def test_classic_grid_is_small_and_holds_the_recipe():
    recipe = make_recommended_pipeline()
    grid = param_grid("classic")
    assert param_grid(recipe) == grid
    n_candidates = np.prod([len(values) for values in grid.values()])
    assert n_candidates <= 6
    params = recipe.get_params(deep=True)
    for key, values in grid.items():
        assert params[key] in values, key  # the recipe's own setting is a candidate
        assert not key.startswith("features__")  # features computed once


def test_grid_search_computes_the_recipe_features_once(faces, monkeypatch):
    from fer_features.pipelines._batched import BatchedFeatureUnion

    calls = []
    original = BatchedFeatureUnion.transform

    def counting(self, X):
        calls.append(len(X))
        return original(self, X)

    monkeypatch.setattr(BatchedFeatureUnion, "transform", counting)
    monkeypatch.setattr(
        BatchedFeatureUnion, "fit_transform", lambda self, X, y=None: counting(self.fit(X, y), X)
    )
    X_train, y_train, X_test, _ = faces
    search = grid_search(
        make_texture_pipeline(),
        X_train,
        y_train,
        cv=2,
        param_grid={"clf__estimator__C": [1.0, 10.0]},
        verbose=0,
    )
    assert calls == [315]  # once, for all images, not per fold and candidate
    best = search.best_estimator_
    assert [name for name, _ in best.steps] == ["features", "scale", "reduce", "clf"]
    assert best.predict_proba(X_test).shape == (105, 7)
    assert search.predict(X_test).shape == (105,)


def test_grid_search_caches_the_features_of_each_fold(faces, monkeypatch):
    calls = []
    original = HOGTransformer.transform

    def counting(self, X):
        calls.append(len(X))
        return original(self, X)

    monkeypatch.setattr(HOGTransformer, "transform", counting)
    X_train, y_train, _, _ = faces
    grid_search(
        "hog-logreg", X_train, y_train, cv=3, param_grid={"clf__C": [0.01, 0.1, 1.0]}, verbose=0
    )
    # training features once per fold (3), test features per fold and candidate
    # (9), the refit (1); without the cache the training features of every
    # candidate of every fold were computed (9 instead of 3)
    assert sorted(calls).count(210) == 3 and len(calls) == 13, sorted(calls)
