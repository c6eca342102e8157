"""random_state makes fits reproducible and keeps the user's global RNGs
untouched: every public estimator (see the registry in conftest.py)."""

import numpy as np
import pytest
import torch
from conftest import assert_same_module, assert_same_outputs, registry


def _config(entry, name):
    """Every source of randomness: initialisation and shuffling (all), then
    dropout, batch statistics and the estimator's own randomness
    (augmentation, denoising, sampling of codes), the early-stopping split,
    and each solver's path."""
    return {
        "adam": {},
        "random": {
            "dropout": 0.2,
            "normalization": "batch",
            "batch_size": 32,
            **entry.random_params,
        },
        # Not with the autoencoders' variational=True of "random": together
        # they fail (reported).
        "sgd-early_stopping": {"solver": "sgd", "early_stopping": True},
        "lbfgs": {"solver": "lbfgs"},
    }[name]


def _global_states():
    return np.random.get_state(), torch.get_rng_state()  # noqa: NPY002


def _assert_global_states_unchanged(before):
    numpy_state, torch_state = before
    after = np.random.get_state()  # noqa: NPY002
    assert after[0] == numpy_state[0]
    np.testing.assert_array_equal(after[1], numpy_state[1])
    assert after[2:] == numpy_state[2:]
    assert torch.equal(torch.get_rng_state(), torch_state)


def _first_parameter(est):
    return next(est.module_.parameters()).detach().cpu()


@pytest.mark.parametrize("config", ["adam", "random", "sgd-early_stopping", "lbfgs"])
@pytest.mark.parametrize("entry", registry())
def test_same_seed_same_model_whatever_the_global_rngs(entry, config):
    """Two fits with the same random_state give the same network and outputs,
    whatever the global generators' state; fit, predict and partial_fit
    leave those generators as they found them."""
    X, y = entry.make_data()
    params = _config(entry, config)
    fitted = []
    # The legacy global RNG is the very thing under test here.
    for global_seed in (1, 2):
        np.random.seed(global_seed)  # noqa: NPY002
        torch.manual_seed(global_seed)
        before = _global_states()
        est = entry.fit(entry.estimator(**params), X, y)
        entry.outputs(est, X)
        _assert_global_states_unchanged(before)
        fitted.append(est)
    a, b = fitted
    assert_same_module(a, b)
    assert_same_outputs(entry, a, b, X)
    assert a.n_iter_ == b.n_iter_

    if not (params.get("early_stopping") or params.get("solver") == "lbfgs"):
        # The configurations partial_fit accepts: it goes on alike, too.
        before = _global_states()
        entry.partial_fit(a, X, y)
        entry.partial_fit(b, X, y)
        _assert_global_states_unchanged(before)
        assert_same_module(a, b)


@pytest.mark.parametrize("entry", registry())
def test_random_state_instance_is_reproducible(entry):
    X, y = entry.make_data()
    params = _config(entry, "random")
    a = entry.estimator(**params, random_state=np.random.RandomState(3))
    b = entry.estimator(**params, random_state=np.random.RandomState(3))
    a, b = entry.fit(a, X, y), entry.fit(b, X, y)
    assert_same_module(a, b)
    assert_same_outputs(entry, a, b, X)


@pytest.mark.parametrize("entry", registry())
def test_different_seeds_different_models(entry):
    X, y = entry.make_data()
    a = entry.fit(entry.estimator(random_state=0), X, y)
    b = entry.fit(entry.estimator(random_state=1), X, y)
    assert not torch.allclose(_first_parameter(a), _first_parameter(b))
    assert not np.allclose(entry.outputs(a, X)[-1], entry.outputs(b, X)[-1])


@pytest.mark.parametrize("entry", registry())
def test_without_random_state_models_differ_and_torch_rng_is_untouched(entry):
    """random_state=None draws its seed from numpy's global RNG (as sklearn),
    so two fits differ; torch's global generator is still left alone."""
    X, y = entry.make_data()
    params = dict(_config(entry, "random"), random_state=None)
    torch.manual_seed(7)
    torch_state = torch.get_rng_state()
    a = entry.fit(entry.estimator(**params), X, y)
    b = entry.fit(entry.estimator(**params), X, y)
    assert torch.equal(torch.get_rng_state(), torch_state)
    assert not torch.allclose(_first_parameter(a), _first_parameter(b))


# ------------------------------------------------------------------ threads
@pytest.mark.parametrize("entry", registry())
def test_fits_in_threads_give_the_serial_model(entry):
    """torch's generators are the process's: concurrent fits with shuffling,
    dropout and the estimator's own randomness each draw their own sequence
    and leave the caller's state as it was."""
    from concurrent.futures import ThreadPoolExecutor

    X, y = entry.make_data()
    params = {**_config(entry, "random"), "random_state": 3}
    serial = entry.fit(entry.estimator(**params), X, y)
    before = _global_states()
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = [
            pool.submit(entry.fit, entry.estimator(**params), X, y) for _ in range(4)
        ]
        concurrent = [future.result() for future in futures]
    _assert_global_states_unchanged(before)
    for model in concurrent:
        assert_same_module(serial, model)
        assert_same_outputs(entry, serial, model, X)


@pytest.mark.parametrize("entry", registry(where=lambda e: e.kind == "classifier"))
def test_a_search_on_joblibs_threading_backend_scores_as_a_serial_one(entry):
    from joblib import parallel_backend
    from sklearn.model_selection import cross_val_score

    X, y = entry.make_data()
    model = entry.estimator(**{**_config(entry, "random"), "random_state": 0})
    serial = cross_val_score(model, X, y, cv=3)
    with parallel_backend("threading", n_jobs=3):
        threaded = cross_val_score(model, X, y, cv=3, n_jobs=3)
    np.testing.assert_array_equal(serial, threaded)


@pytest.mark.parametrize("entry", registry())
def test_predictions_in_threads_are_identical(entry):
    from concurrent.futures import ThreadPoolExecutor

    X, y = entry.make_data()
    model = entry.fit(entry.estimator(**_config(entry, "random")), X, y)
    expected = entry.outputs(model, X)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: entry.outputs(model, X), range(8)))
    for outputs in results:
        for got, want in zip(outputs, expected, strict=True):
            np.testing.assert_array_equal(got, want)
