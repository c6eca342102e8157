"""Where estimators train: ``device`` picks the CPU, CUDA or Apple's MPS,
for every public estimator (see the registry in conftest.py).

The choice is checked through where the fitted network's parameters live,
with the accelerators' availability simulated; where a simulated backend is
not really there, trying to use it fails with torch's error for it, which
shows that it was chosen. The tests of real accelerators run only where one
is present.
"""

import numpy as np
import pytest
import torch
from conftest import registry
from sklearn.exceptions import ConvergenceWarning

from sknn import MLPClassifier


def _parameters_device(est) -> torch.device:
    devices = {p.device for p in est.module_.parameters()}
    assert len(devices) == 1, devices
    return devices.pop()


def _available(monkeypatch, *, cuda, mps):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: mps)


def _real_mps():
    return torch.backends.mps.is_available()


@pytest.mark.parametrize("entry", registry())
def test_cpu_device(entry):
    X, y = entry.make_data()
    est = entry.fit(entry.estimator(device="cpu", dtype=None), X, y)
    assert _parameters_device(est).type == "cpu"
    # With dtype=None, float64 input computes in float64 on the CPU, as
    # scikit-learn.
    assert next(est.module_.parameters()).dtype == torch.float64
    assert all(isinstance(out, np.ndarray) for out in entry.outputs(est, X))


@pytest.mark.parametrize("entry", registry())
def test_auto_device_without_accelerators_is_the_cpu(entry, monkeypatch):
    _available(monkeypatch, cuda=False, mps=False)
    X, y = entry.make_data()
    est = entry.estimator(device="auto")
    assert est.device == "auto"
    entry.fit(est, X, y)
    assert _parameters_device(est).type == "cpu"
    assert all(isinstance(out, np.ndarray) for out in entry.outputs(est, X))


def test_auto_device_prefers_cuda_to_mps(iris, monkeypatch):
    X, y = iris
    clf = MLPClassifier((8,), max_iter=2, random_state=0)
    if torch.cuda.is_available():  # a real GPU: it trains there
        monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
        with pytest.warns(ConvergenceWarning):
            clf.fit(X, y)
        assert _parameters_device(clf).type == "cuda"
        return
    _available(monkeypatch, cuda=True, mps=True)
    # torch's own error, for a build without CUDA or for a CUDA build on a
    # machine without a GPU (PyPI's torch on Python 3.12+): CUDA was chosen.
    with pytest.raises(
        (AssertionError, RuntimeError), match=r"not compiled with CUDA|NVIDIA driver"
    ):
        clf.fit(X, y)


def test_auto_device_takes_mps_without_cuda(iris, monkeypatch):
    X, y = iris
    clf = MLPClassifier((8,), max_iter=2, random_state=0)
    if _real_mps():  # a real Apple GPU: it trains there
        monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
        with pytest.warns(ConvergenceWarning):
            clf.fit(X, y)
        assert _parameters_device(clf).type == "mps"
        return
    _available(monkeypatch, cuda=False, mps=True)
    # torch's own error without an MPS backend: MPS was chosen.
    with pytest.raises(RuntimeError, match=r"(?i)mps"):
        clf.fit(X, y)


@pytest.mark.parametrize("entry", registry())
@pytest.mark.parametrize("device", ["tpu", "gpu", "cuda:x", "meta", ""])
def test_invalid_device_raises(entry, device):
    X, y = entry.make_data()
    with pytest.raises(ValueError, match="device must be 'auto', 'cpu', 'cuda'"):
        entry.fit(entry.estimator(device=device), X, y)


@pytest.mark.parametrize("entry", registry())
@pytest.mark.parametrize("device", ["cuda", "cuda:0"])
def test_cuda_without_cuda_raises(entry, device, monkeypatch):
    _available(monkeypatch, cuda=False, mps=False)
    X, y = entry.make_data()
    with pytest.raises(ValueError, match=f"device='{device}' was requested but CUDA"):
        entry.fit(entry.estimator(device=device), X, y)


@pytest.mark.parametrize("entry", registry())
def test_mps_without_mps_raises(entry, monkeypatch):
    _available(monkeypatch, cuda=False, mps=False)
    X, y = entry.make_data()
    with pytest.raises(ValueError, match="device='mps' was requested but MPS is not"):
        entry.fit(entry.estimator(device="mps"), X, y)


@pytest.mark.parametrize("entry", registry())
def test_float64_on_mps_raises(entry, monkeypatch):
    _available(monkeypatch, cuda=False, mps=True)
    X, y = entry.make_data()
    est = entry.estimator(device="mps", dtype="float64")
    message = r"dtype='float64' on device 'mps'.*no float64"
    with pytest.raises(ValueError, match=message):
        entry.fit(est, X, y)


@pytest.mark.parametrize("dtype", [None, "float32"])
def test_mps_takes_float32_and_none(iris, monkeypatch, dtype):
    if _real_mps():
        pytest.skip("a real Apple GPU: test_trains_and_predicts_on_mps")
    _available(monkeypatch, cuda=False, mps=True)
    # torch's own error without an MPS backend: sknn let MPS compute.
    with pytest.raises(RuntimeError, match=r"(?i)mps"):
        MLPClassifier((8,), max_iter=2, device="mps", dtype=dtype).fit(*iris)


def test_cuda_takes_float64(iris, monkeypatch):
    if torch.cuda.is_available():
        pytest.skip("a real GPU: test_trains_and_predicts_on_cuda_in_float64")
    _available(monkeypatch, cuda=True, mps=False)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    # torch's error, not sknn's: float64 is allowed on CUDA.
    with pytest.raises(
        (AssertionError, RuntimeError), match=r"not compiled with CUDA|NVIDIA driver"
    ):
        MLPClassifier((8,), max_iter=2, device="cuda", dtype="float64").fit(*iris)


def test_a_cuda_index_beyond_the_visible_devices_raises(iris, monkeypatch):
    X, y = iris
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    with pytest.raises(ValueError, match=r"only 1 CUDA device\(s\) are visible"):
        MLPClassifier(device="cuda:3").fit(X, y)


# ---------------------------------------------------------- real hardware
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("entry", registry())
def test_trains_and_predicts_on_cuda(entry):
    X, y = entry.make_data()
    X_test, y_test = entry.make_data(seed=1)
    est = entry.fit(entry.estimator(device="cuda"), X, y)
    assert _parameters_device(est).type == "cuda"
    # Accelerators compute in float32, whatever the input's dtype.
    assert next(est.module_.parameters()).dtype == torch.float32
    assert all(isinstance(out, np.ndarray) for out in entry.outputs(est, X_test))
    assert entry.score(est, X_test, y_test) >= entry.learnt_score(X_test, y_test)
    entry.partial_fit(est, X, y)
    assert _parameters_device(est).type == "cuda"


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("entry", registry())
def test_trains_and_predicts_on_cuda_in_float64(entry):
    X, y = entry.make_data()
    X_test, y_test = entry.make_data(seed=1)
    est = entry.fit(entry.estimator(device="cuda", dtype="float64"), X, y)
    assert _parameters_device(est).type == "cuda"
    assert next(est.module_.parameters()).dtype == torch.float64
    assert entry.score(est, X_test, y_test) >= entry.learnt_score(X_test, y_test)
    # The outputs' dtypes are the CPU's.
    on_cpu = entry.fit(entry.estimator(device="cpu", dtype="float64"), X, y)
    got, want = entry.outputs(est, X), entry.outputs(on_cpu, X)
    assert [out.dtype for out in got] == [out.dtype for out in want]


@pytest.mark.skipif(not _real_mps(), reason="needs Apple's MPS")
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("entry", registry())
def test_trains_and_predicts_on_mps(entry):
    X, y = entry.make_data()
    est = entry.fit(entry.estimator(device="mps"), X, y)
    assert _parameters_device(est).type == "mps"
    assert all(isinstance(out, np.ndarray) for out in entry.outputs(est, X))
