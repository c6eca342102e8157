"""The training options the networks with measured defaults share (tables,
convolutions, recurrences): ``early_stopping="auto"``,
``learning_rate="cosine"``, and for classifiers label smoothing and the
negative log-loss as the early-stopping score. The drop-in MLPs keep
scikit-learn's options only."""

import itertools
import warnings

import pytest
from conftest import registry
from skorch.callbacks import LRScheduler

from sknn import MLPClassifier, MLPRegressor
from sknn._training import TrainingExtras

EXTRAS = registry(where=lambda entry: issubclass(entry.cls, TrainingExtras))


def test_the_drop_ins_have_none_of_them():
    for cls in (MLPClassifier, MLPRegressor):
        assert not issubclass(cls, TrainingExtras)
        assert "label_smoothing" not in cls().get_params()
    with pytest.raises(ValueError, match="'learning_rate' parameter"):
        MLPClassifier(learning_rate="cosine").fit([[0.0], [1.0]], [0, 1])
    with pytest.raises(ValueError, match="'early_stopping' parameter"):
        MLPClassifier(early_stopping="auto").fit([[0.0], [1.0]], [0, 1])


@pytest.mark.parametrize("entry", EXTRAS)
def test_auto_early_stopping_holds_out_data_from_its_threshold(entry, monkeypatch):
    X, y = entry.make_data()
    monkeypatch.setattr(entry.cls, "_auto_early_stopping_min_samples", len(X))
    est = entry.fit(entry.estimator(early_stopping="auto", max_iter=3), X, y)
    assert len(est.validation_scores_) == est.n_iter_
    assert est.t_ < 3 * len(X)  # validation_fraction of the data held out
    est = entry.fit(est, X[:-1], None if y is None else y[:-1])
    assert est.validation_scores_ is None  # one sample short: all train
    assert est.t_ == 3 * (len(X) - 1)


@pytest.mark.parametrize("entry", EXTRAS)
def test_cosine_schedule_decays_to_zero_without_a_warning(entry):
    X, y = entry.make_data()
    est = entry.estimator(learning_rate="cosine", learning_rate_init=0.01, max_iter=6)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the end of the schedule is no failure
        entry.fit(est, X, y)
    rates = est.history_[:, "event_lr"]
    assert rates[0] == pytest.approx(0.01)
    assert all(a > b for a, b in itertools.pairwise(rates))
    assert rates[-1] < 0.01 * 0.1


@pytest.mark.parametrize("entry", EXTRAS)
def test_cosine_and_a_user_scheduler_do_not_mix(entry):
    X, y = entry.make_data()
    est = entry.estimator(
        learning_rate="cosine", callbacks=[LRScheduler("StepLR", step_size=1)]
    )
    with pytest.raises(ValueError, match='Set learning_rate="constant"'):
        entry.fit(est, X, y)


@pytest.mark.parametrize(
    "entry", registry("classifier", where=lambda e: issubclass(e.cls, TrainingExtras))
)
def test_classifiers_stop_on_the_log_loss_and_smooth_labels(entry):
    X, y = entry.make_data()
    est = entry.fit(entry.estimator(early_stopping=True, max_iter=4), X, y)
    assert all(score < 0 for score in est.validation_scores_)  # -log-loss
    assert est.best_validation_score_ == max(est.validation_scores_)
    plain = entry.fit(entry.estimator(max_iter=4), X, y)
    smoothed = entry.fit(entry.estimator(label_smoothing=0.3, max_iter=4), X, y)
    # Smoothed targets are never certain: the loss stays above their entropy.
    assert min(smoothed.loss_curve_) > min(plain.loss_curve_)
    with pytest.raises(ValueError, match="'label_smoothing' parameter"):
        entry.fit(entry.estimator(label_smoothing=1.0), X, y)
