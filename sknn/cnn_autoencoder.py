"""A convolutional autoencoder for images and signals, as a transformer."""

from ._docs import (
    FLOAT32_RUNTIME_PARAMETERS,
    INPUT_SHAPE_ATTRIBUTE,
    INPUT_SHAPE_PARAMETER,
    TRAINING_PARAMETERS,
    activation_parameter,
)
from ._inputs import Samples
from ._params import CONV_CONSTRAINTS, positive_ints, store_parameters
from .autoencoder import (
    _AUTOENCODER_ATTRIBUTES_DOC,
    _AUTOENCODER_PARAMETERS_DOC,
    BaseAutoencoder,
)
from .modules import ConvAutoencoder


class CNNAutoencoder(BaseAutoencoder):
    __doc__ = f"""Convolutional autoencoder for images and signals.

    The encoder is convolution blocks as :class:`CNNClassifier`'s, each
    pooling the feature maps down, then a linear layer to ``n_components``
    values (the code); the decoder mirrors it, up-sampling back to the
    input's shape. Trained to reconstruct the training samples, it is a
    transformer as :class:`Autoencoder` is: ``transform`` gives the codes,
    ``inverse_transform`` the reconstructions, ``score_samples`` the negated
    reconstruction error of each sample (higher is more normal), with the
    same denoising and variational options. Samples follow the input
    conventions of :class:`CNNClassifier` (see ``input_shape``).

    Parameters
    ----------
    n_components : int, default=2
        Size of the code (PCA's name).
    filters : int or array-like of int, default=(32, 64)
        Number of filters of each encoder block, in order; the decoder's
        blocks have them in reverse.
    kernel_size : int, default=3
        Size of the convolution kernels (square for images).
    pooling : {{"max", "mean", "none"}}, default="max"
        Down-sampling after each encoder block (the decoder up-samples back
        before each of its blocks), or none.
    pool_size : int, default=2
        Size (and stride) of the pooling windows.
    hidden_layer_sizes : int or array-like of int, default=()
        Widths of dense hidden layers between the flattened feature maps and
        the code, mirrored in the decoder (empty: none).
    {activation_parameter("the blocks and hidden layers").strip()}
    dropout : float, default=0.0
        Dropout after each block and hidden layer.
    normalization : {{"batch", "layer", "group"}} or None, default=None
        Normalisation after each convolution and hidden layer, as in
        :class:`CNNClassifier` (``"batch"``: batch statistics weighted by the
        sample weights). On the digits batch normalisation gave codes that
        classify better (an SVC on 8 values: 0.973 against 0.956) but a
        higher reconstruction error (0.0136 against 0.0118), the error this
        transformer minimises: off by default.
    {_AUTOENCODER_PARAMETERS_DOC.strip()}
    {INPUT_SHAPE_PARAMETER.strip()}
    {TRAINING_PARAMETERS.strip()}
    {FLOAT32_RUNTIME_PARAMETERS.strip()}

    Attributes
    ----------
    n_features_in_ : int
        Number of values per sample seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features seen during fit, when X was a DataFrame of flat
        rows with string column names.
    {INPUT_SHAPE_ATTRIBUTE.strip()}
    {_AUTOENCODER_ATTRIBUTES_DOC.strip()}
    module_ : torch.nn.Module
        The trained :class:`sknn.modules.ConvAutoencoder`.

    See Also
    --------
    Autoencoder : The dense autoencoder, for tabular data.
    CNNClassifier : The convolutional classifier, with the same inputs.
    sklearn.decomposition.PCA : The linear counterpart.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sknn import CNNAutoencoder
    >>> X, _ = load_digits(return_X_y=True)
    >>> images = X[:300].reshape(-1, 8, 8) / 16  # grey images
    >>> ae = CNNAutoencoder(n_components=8, filters=(8, 16), max_iter=5,
    ...                     random_state=0)
    >>> ae.fit_transform(images).shape
    (300, 8)
    >>> ae.input_shape_
    (1, 8, 8)
    >>> ae.inverse_transform(ae.transform(images)).shape
    (300, 8, 8)
    """

    _parameter_constraints: dict = {
        **{
            k: v
            for k, v in BaseAutoencoder._parameter_constraints.items()
            if k != "batch_norm"
        },
        **CONV_CONSTRAINTS,
    }

    _input_type = Samples
    _predict_chunk_size = 1024  # feature maps are large: bound their memory

    def __init__(
        self,
        n_components=2,
        *,
        filters=(32, 64),
        kernel_size=3,
        pooling="max",
        pool_size=2,
        hidden_layer_sizes=(),
        activation="relu",
        dropout=0.0,
        normalization=None,
        noise=None,
        noise_level=0.1,
        loss="squared_error",
        variational=False,
        beta=1.0,
        input_shape=None,
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
        dtype="float32",
        callbacks=None,
        progress_bar=False,
        distributed=False,
    ):
        store_parameters(self, locals())

    def _check_params(self) -> None:
        super()._check_params()
        if not positive_ints("filters", self.filters):
            raise ValueError(
                "filters must hold at least one convolution block, got "
                f"{tuple(self.filters)}; for a dense autoencoder use "
                "sknn.Autoencoder."
            )

    def _build_module(self) -> ConvAutoencoder:
        return ConvAutoencoder(
            input_shape=self.input_shape_,
            n_components=self.n_components,
            filters=positive_ints("filters", self.filters),
            kernel_size=self.kernel_size,
            pooling=self._param("pooling"),
            pool_size=self.pool_size,
            hidden_layer_sizes=positive_ints(
                "hidden_layer_sizes", self.hidden_layer_sizes
            ),
            activation=self.activation,
            normalization=self.normalization,
            dropout=self.dropout,
            noise=self.noise,
            noise_level=self.noise_level,
            variational=self.variational,
        )
