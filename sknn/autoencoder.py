"""Autoencoders as scikit-learn transformers: codes, reconstructions, scores."""

from numbers import Real

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils import check_array
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted
from torch import nn

from ._base import BaseNeuralEstimator
from ._data import to_tensor
from ._docs import (
    BATCH_NORM_PARAMETER,
    RUNTIME_PARAMETERS,
    TRAINING_PARAMETERS,
    activation_parameter,
    normalization_parameter,
)
from ._inputs import check_numeric_columns, standard_container
from ._losses import SampleLoss
from ._params import (
    BATCH_NORM,
    LAYER_SIZES,
    NETWORK_CONSTRAINTS,
    POSITIVE_INT,
    positive_ints,
    store_parameters,
)
from ._sklearn import Interval, StrOptions, fit_context
from .modules import DenseAutoencoder
from .modules.autoencoder import NOISES

LOSSES = {
    "squared_error": F.mse_loss,
    "binary_crossentropy": F.binary_cross_entropy_with_logits,
}


def _reconstruction_part(raw):
    """The raw reconstruction of a module's output (a VAE also gives its KL)."""
    return raw[0] if isinstance(raw, tuple) else raw


class ReconstructionLoss(nn.Module):
    """Per-sample reconstruction loss, averaged over the values of each
    sample, plus ``beta`` times the KL divergence of a variational code over
    the number of values (the ELBO, scaled as the reconstruction term)."""

    def __init__(self, loss, beta: float = 1.0):
        super().__init__()
        self.reconstruction = SampleLoss(loss)
        self.beta = beta

    def forward(self, raw, X, reduction: str = "none"):
        if not isinstance(raw, tuple):
            return self.reconstruction(raw, X, reduction=reduction)
        raw, kl = raw
        losses = self.reconstruction(raw, X, reduction="none")  # (N,)
        losses = losses + self.beta * kl / X[0].numel()
        return losses if reduction == "none" else losses.mean()


_AUTOENCODER_PARAMETERS_DOC = """
    noise : {"gaussian", "mask"} or None, default=None
        Denoising: corrupt the input during training, and learn to
        reconstruct the clean samples: ``"gaussian"`` adds noise of standard
        deviation ``noise_level``, ``"mask"`` zeroes each value with
        probability ``noise_level``.
    noise_level : float, default=0.1
        Standard deviation or rate of the corruption.
    loss : {"squared_error", "binary_crossentropy"}, default="squared_error"
        The reconstruction loss: mean squared error, or binary cross-entropy
        through a sigmoid for data in [0, 1] (pixel intensities, rates).
    variational : bool, default=False
        A variational autoencoder (VAE): each sample is encoded as a Gaussian
        distribution over codes, training decodes samples of it, and the
        loss adds ``beta`` times its KL divergence from the standard normal
        (over the number of values per sample, as the reconstruction term is
        averaged). ``transform`` returns the means.
    beta : float, default=1.0
        Weight of the KL term of a variational autoencoder (a beta-VAE above
        1: smoother, more disentangled codes, blurrier reconstructions)."""

_AUTOENCODER_ATTRIBUTES_DOC = """
    loss_ : float
        The loss at the end of training (L2 penalty included).
    loss_curve_ : list of float
        The loss after each epoch (stochastic solvers only).
    validation_scores_ : list of float or None
        Negated reconstruction error on the held-out data after each epoch;
        None when ``early_stopping=False``.
    n_iter_ : int
        Number of epochs run by the last call to ``fit`` or ``partial_fit``.
    t_ : int
        Number of training samples seen by the solver.
    history_ : skorch.History
        skorch's record of the training, one row per epoch."""


class BaseAutoencoder(
    ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseNeuralEstimator
):
    """What the autoencoders share: training to reconstruct X, codes,
    reconstructions and scores. Subclasses build the module
    (``_build_module``) and may take another kind of input (``_input_type``).
    """

    _parameter_constraints: dict = {
        **BaseNeuralEstimator._parameter_constraints,
        **NETWORK_CONSTRAINTS,
        "n_components": POSITIVE_INT,
        "noise": [StrOptions(set(NOISES)), None],
        "noise_level": [Interval(Real, 0, None, closed="left")],
        "loss": [StrOptions(set(LOSSES))],
        "variational": ["boolean"],
        "beta": [Interval(Real, 0, None, closed="left")],
    }

    # ------------------------------------------------------------ training
    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, sample_weight=None):
        """Train the encoder and the decoder to reconstruct X.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The training data (:class:`CNNAutoencoder`: signals or images,
            see its ``input_shape``).
        y : None
            Ignored.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample in the loss.

        Returns
        -------
        self : object
            The fitted autoencoder.

        Examples
        --------
        >>> import numpy as np
        >>> from sknn import Autoencoder
        >>> X = np.random.RandomState(0).normal(size=(100, 6))
        >>> Autoencoder(n_components=2, max_iter=5).fit(X).n_features_in_
        6
        """
        return self._fit(X, None, sample_weight)

    @available_if(BaseNeuralEstimator._has_stochastic_solver)
    @fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None, sample_weight=None):
        """One epoch of training on X, continuing from the current weights.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The training data (:class:`CNNAutoencoder`: signals or images,
            see its ``input_shape``).
        y : None
            Ignored.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample in the loss.

        Returns
        -------
        self : object
            The autoencoder.

        Examples
        --------
        >>> import numpy as np
        >>> from sknn import Autoencoder
        >>> X = np.random.RandomState(0).normal(size=(100, 6))
        >>> ae = Autoencoder(n_components=2)
        >>> for _ in range(3):
        ...     ae = ae.partial_fit(X)
        >>> len(ae.loss_curve_)
        3
        """
        self._check_partial_fit()
        return self._fit(X, None, sample_weight, incremental=True)

    def _targets(self, X, y, *, reset, classes=None):
        if self.loss == "binary_crossentropy" and ((X < 0) | (X > 1)).any():
            raise ValueError(
                "loss='binary_crossentropy' reconstructs values in [0, 1], but X "
                f"holds values from {X.min():g} to {X.max():g}. Scale X to [0, "
                "1] (e.g. with sklearn.preprocessing.MinMaxScaler) or use "
                "loss='squared_error'."
            )
        return X  # the samples themselves, as the module takes them

    def _criterion(self):
        return ReconstructionLoss(LOSSES[self.loss], self.beta)

    def _decoder(self):
        return _reconstruction_part

    _validation_score_name = "negative reconstruction MSE"

    def _validation_score(self, raw, y, sample_weight) -> float:
        raw = _reconstruction_part(raw)
        errors = self._errors(self._reconstruction(raw), y)
        weight = None if sample_weight is None else sample_weight.cpu().numpy()
        return float(-np.average(errors, weights=weight))

    # ----------------------------------------------------------- inference
    def _graph_outputs(self, module, x) -> torch.Tensor:
        """What an exported graph computes (``sknn.onnx``): the codes."""
        return module.encode(x)

    def _reconstruction(self, raw: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(raw) if self.loss == "binary_crossentropy" else raw

    @staticmethod
    def _errors(reconstruction: torch.Tensor, X) -> np.ndarray:
        """Mean squared reconstruction error of each sample (X: an array, or a
        tensor on any device)."""
        if not isinstance(X, torch.Tensor):
            X = to_tensor(X, torch.float64, reconstruction.device)
        X = X.to(reconstruction.device)
        errors = (reconstruction.double() - X.double()).square()  # (N, *sample)
        return errors.flatten(1).mean(1).cpu().numpy()  # (N,)

    def _output(self, values: torch.Tensor, like) -> np.ndarray:
        return values.cpu().numpy().astype(np.asarray(like).dtype, copy=False)

    def transform(self, X):
        """The codes of X.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The data, as ``fit`` takes it.

        Returns
        -------
        codes : ndarray of shape (n_samples, n_components)
            The encoder's output.

        Examples
        --------
        >>> import numpy as np
        >>> from sknn import Autoencoder
        >>> X = np.random.RandomState(0).normal(size=(100, 6))
        >>> Autoencoder(n_components=3, max_iter=5).fit(X).transform(X).shape
        (100, 3)
        """
        X = self._validated(X)
        return self._output(self._infer(X, self.module_.encode), X)

    def inverse_transform(self, X):
        """Samples reconstructed from codes.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_components)
            Codes, as ``transform`` gives them.

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_features)
            The decoder's reconstruction of each sample, in the layout ``fit``
            was given them (:class:`CNNAutoencoder`: images stay images).

        Examples
        --------
        >>> import numpy as np
        >>> from sknn import Autoencoder
        >>> X = np.random.RandomState(0).normal(size=(100, 6))
        >>> ae = Autoencoder(n_components=3, max_iter=5).fit(X)
        >>> ae.inverse_transform(ae.transform(X)).shape
        (100, 6)
        """
        check_is_fitted(self, "net_")
        name = type(self).__name__
        X = standard_container(X, name)
        check_numeric_columns(X, name)
        codes = check_array(X, dtype=[np.float64, np.float32])
        if codes.shape[1] != self.n_components:
            raise ValueError(
                f"inverse_transform takes codes of {self.n_components} values "
                f"(n_components), got {codes.shape[1]}. Pass the output of "
                "transform."
            )
        raw = self._infer(codes, self.module_.decode)  # (N, *module's input)
        reconstruction = self._reconstruction(raw)
        reconstruction = self._output(reconstruction, codes)
        return self._input.inverse_transform(reconstruction)

    def score_samples(self, X):
        """Negated mean squared reconstruction error of each sample.

        Higher means better reconstructed, more like the training data: the
        convention of scikit-learn's outlier detectors, so that low scores
        flag anomalies.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The data, as ``fit`` takes it.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            ``-mean((x - reconstruction(x)) ** 2)`` of each sample.

        Examples
        --------
        >>> import numpy as np
        >>> from sknn import Autoencoder
        >>> X = np.random.RandomState(0).normal(size=(100, 6))
        >>> ae = Autoencoder(n_components=3, max_iter=5).fit(X)
        >>> bool((ae.score_samples(X) <= 0).all())
        True
        """
        X = self._validated(X)
        module = self.module_
        raw = self._infer(X, lambda rows: module.decode(module.encode(rows)))
        errors = self._errors(self._reconstruction(raw), X)
        if not np.isfinite(errors).all():
            raise ValueError(
                "The reconstruction errors of this X overflow: it holds values up "
                "to the float maximum, whose squares exceed the float range. "
                "Scale X as the training data was scaled (e.g. with "
                "StandardScaler)."
            )
        return -errors

    def score(self, X, y=None, sample_weight=None):
        """Mean of :meth:`score_samples`: the negated reconstruction error.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The data, as ``fit`` takes it.
        y : None
            Ignored.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples in the mean.

        Returns
        -------
        score : float
            Higher is better, so that model selection tools maximise it.

        Examples
        --------
        >>> import numpy as np
        >>> from sknn import Autoencoder
        >>> X = np.random.RandomState(0).normal(size=(100, 6))
        >>> ae = Autoencoder(n_components=3, max_iter=5).fit(X)
        >>> ae.score(X) < 0
        True
        """
        scores = self.score_samples(X)
        weight = self._score_weight(sample_weight, len(scores))
        return float(np.average(scores, weights=weight))

    @property
    def _n_features_out(self) -> int:
        return self.n_components

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


class Autoencoder(BaseAutoencoder):
    __doc__ = f"""Dense autoencoder: a non-linear, trainable counterpart of PCA.

    The encoder maps each row to ``n_components`` values (the code), the
    decoder maps codes back to rows, and both are trained together, with
    PyTorch, to reconstruct the training data. ``transform`` gives the codes,
    ``inverse_transform`` the reconstructions, and ``score_samples`` the
    negated reconstruction error of each sample (higher is more normal, as
    scikit-learn's outlier detectors score), so that the estimator fits where
    :class:`~sklearn.decomposition.PCA` does: in a ``Pipeline`` before a
    classifier, in a grid search over ``n_components``.

    Parameters
    ----------
    n_components : int, default=2
        Size of the code (PCA's name).
    hidden_layer_sizes : int or array-like of int, default=(512,)
        Widths of the encoder's hidden layers, from the input.
    decoder_layer_sizes : int, array-like of int or None, default=None
        Widths of the decoder's hidden layers, from the code; None mirrors
        ``hidden_layer_sizes``.
    {activation_parameter("the hidden layers").strip()}
    dropout : float, default=0.0
        Dropout after each hidden layer.
    {normalization_parameter("each hidden layer").strip()}
    {_AUTOENCODER_PARAMETERS_DOC.strip()}
    {TRAINING_PARAMETERS.strip()}
    {RUNTIME_PARAMETERS.strip()}
    {BATCH_NORM_PARAMETER.strip()}

    Attributes
    ----------
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features seen during fit, when X had string column names.
    {_AUTOENCODER_ATTRIBUTES_DOC.strip()}
    module_ : torch.nn.Module
        The trained :class:`sknn.modules.DenseAutoencoder`.

    See Also
    --------
    CNNAutoencoder : The convolutional autoencoder, for images and signals.
    sklearn.decomposition.PCA : The linear counterpart.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sknn import Autoencoder
    >>> X, _ = load_digits(return_X_y=True)
    >>> ae = Autoencoder(n_components=8, max_iter=20, random_state=0)
    >>> codes = ae.fit_transform(X[:500] / 16)
    >>> codes.shape
    (500, 8)
    >>> ae.inverse_transform(codes).shape
    (500, 64)
    >>> ae.get_feature_names_out()[:3]
    array(['autoencoder0', 'autoencoder1', 'autoencoder2'], dtype=object)
    """

    _renamed = (BATCH_NORM,)

    _parameter_constraints: dict = {
        **BaseAutoencoder._parameter_constraints,
        "decoder_layer_sizes": [*LAYER_SIZES, None],
    }

    def __init__(
        self,
        n_components=2,
        *,
        hidden_layer_sizes=(512,),
        decoder_layer_sizes=None,
        activation="relu",
        dropout=0.0,
        normalization=None,
        noise=None,
        noise_level=0.1,
        loss="squared_error",
        variational=False,
        beta=1.0,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        device="auto",
        dtype=None,
        callbacks=None,
        progress_bar=False,
        distributed=False,
        batch_norm="deprecated",
    ):
        store_parameters(self, locals())

    def _build_module(self) -> DenseAutoencoder:
        decoder = self.decoder_layer_sizes
        return DenseAutoencoder(
            n_features=self.n_features_in_,
            n_components=self.n_components,
            hidden_layer_sizes=positive_ints(
                "hidden_layer_sizes", self.hidden_layer_sizes
            ),
            decoder_layer_sizes=(
                None
                if decoder is None
                else positive_ints("decoder_layer_sizes", decoder)
            ),
            activation=self.activation,
            normalization=self._param("normalization"),
            dropout=self.dropout,
            noise=self.noise,
            noise_level=self.noise_level,
            variational=self.variational,
        )
