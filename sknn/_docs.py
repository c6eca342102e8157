"""Docstring sections shared by the estimators (numpydoc, 4-space indented)."""

import re

TRAINING_PARAMETERS = """
    solver : {"adam", "adamw", "sgd", "lbfgs"}, default="adam"
        The optimizer: ``torch.optim.Adam``, ``AdamW`` (``alpha`` is then its
        decoupled weight decay), ``SGD`` (with ``momentum``) or L-BFGS
        (full batch, scipy's L-BFGS-B as in scikit-learn; converges fast on
        small data).
    alpha : float, default=0.0001
        Strength of the L2 penalty on the weights, scaled as scikit-learn:
        ``0.5 * alpha * ||W||^2 / batch_size`` is added to the loss (with
        ``"adamw"``: the decoupled weight decay). Either way it applies to
        the weights of the dense, convolution and recurrent layers and to
        the embeddings, never to biases or normalisation parameters.
    batch_size : int or "auto", default="auto"
        Size of the mini-batches; ``"auto"`` is ``min(200, n_samples)``.
        Ignored by ``"lbfgs"``.
    learning_rate : {"constant", "invscaling", "adaptive"}, default="constant"
        Learning-rate schedule of ``solver="sgd"``: constant, decaying as
        ``learning_rate_init / (t + 1) ** power_t`` with ``t`` the samples
        seen, or divided by 5 each time ``n_iter_no_change`` epochs pass
        without improvement. For other schedules pass a skorch
        ``LRScheduler`` in ``callbacks``.
    learning_rate_init : float, default=0.001
        Initial learning rate (``"sgd"``, ``"adam"``, ``"adamw"``).
    power_t : float, default=0.5
        Exponent of the ``"invscaling"`` schedule.
    max_iter : int, default=200
        Maximum number of epochs (``"lbfgs"``: of iterations).
    shuffle : bool, default=True
        Whether to shuffle the samples at each epoch.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling, dropout and the validation
        split. The same integer gives the same model, and fitting then leaves
        the global numpy and torch random states untouched (with None, the
        seed is drawn from numpy's global generator, as scikit-learn does).
    tol : float, default=1e-4
        Improvement of the loss (or validation score) that counts as
        progress; ``"lbfgs"`` stops when the largest gradient is below it.
    verbose : bool or int, default=False
        ``True``/``1`` prints ``Iteration N, loss = ...`` after each epoch,
        ``2`` adds a progress bar over the batches.
    warm_start : bool, default=False
        Continue training from the previous ``fit`` instead of starting anew.
    momentum : float, default=0.9
        Momentum of ``solver="sgd"``.
    nesterovs_momentum : bool, default=True
        Whether ``"sgd"`` uses Nesterov's momentum.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data (stratified for
        classifiers), stop when its score stops improving, and restore the
        weights of the best epoch.
    validation_fraction : float, default=0.1
        Share of the data held out when ``early_stopping=True``.
    beta_1 : float, default=0.9
        Decay rate of the first-moment estimates of Adam(W).
    beta_2 : float, default=0.999
        Decay rate of the second-moment estimates of Adam(W).
    epsilon : float, default=1e-8
        Numerical-stability term of Adam(W).
    n_iter_no_change : int, default=10
        Training stops after more than this many epochs in a row without an
        improvement of at least ``tol``.
    max_fun : int, default=15000
        Maximum number of loss evaluations of ``"lbfgs"``."""

RUNTIME_PARAMETERS = """
    device : str, default="auto"
        Where to train and predict: ``"auto"`` picks CUDA, then Apple's MPS,
        then the CPU; or ``"cpu"``, ``"cuda"``, ``"cuda:1"``, ``"mps"``.
    dtype : {"float32", "float64"} or None, default=None
        The float dtype the network trains and predicts in, whatever the
        dtype of ``X``. ``"float32"``, the dtype of PyTorch and Keras, is the
        default of the convolutional, recurrent and table networks: the
        default :class:`CNNClassifier` on float64 digits images
        (``X / 16.0``) fitted 3.6 times as fast in float32 as in float64 on
        one CPU thread (``benchmarks/defaults.py --timing``), to the same
        accuracy. ``"float64"`` computes in float64 everywhere (slower, on
        CUDA far slower; MPS has no float64: an error). None, the default of
        the MLPs and :class:`Autoencoder` (as scikit-learn's estimators): on
        the CPU, float64 for float64 input (``X / 16.0``, a
        ``StandardScaler``'s output) and float32 for float32 input; float32
        on accelerators.
        Outputs keep their dtypes whatever the network computes in:
        probabilities in float64, codes and reconstructions in the dtype of
        ``X``, regression predictions in float32 only for float32 input to a
        network in float32 (as scikit-learn's ``MLPRegressor``). A fitted
        network keeps its dtype through ``warm_start`` and ``partial_fit``.
    callbacks : list of skorch callbacks or (name, callback) tuples, default=None
        Extra skorch callbacks (LR schedulers, checkpoints, loggers...). They
        are copied at each fit, so searches and repeated fits never share
        their state.
    progress_bar : bool, default=False
        Whether to show a progress bar on stderr during ``fit``: it advances
        once an epoch and shows the training loss and the validation score;
        once an epoch takes longer than 2 seconds, a second bar follows the
        batches of the next ones. ``verbose`` prints scikit-learn's lines
        instead (or as well).
    distributed : bool, default=False
        Whether ``fit`` and ``partial_fit`` train one model across the
        processes of ``torch.distributed``'s default process group (a script
        launched with ``torchrun``, after
        ``torch.distributed.init_process_group()``): every process passes the
        same data and trains on its share of each batch; ``batch_size`` is the
        global batch, the gradients are averaged, ``alpha`` and the stopping
        rules mean what they mean on one process, and only rank 0 prints.
        Every process ends with the same fitted model. See the Scaling out
        page of the user guide."""

FITTED_ATTRIBUTES = """
    loss_ : float
        The loss at the end of training (L2 penalty included).
    best_loss_ : float or None
        The lowest loss reached; None when ``early_stopping=True``.
    loss_curve_ : list of float
        The loss after each epoch (stochastic solvers only).
    validation_scores_ : list of float or None
        The score on the held-out data after each epoch; None when
        ``early_stopping=False``.
    best_validation_score_ : float or None
        The best of ``validation_scores_``.
    t_ : int
        Number of training samples seen by the solver.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features seen during fit, when X had string column names.
    n_iter_ : int
        Number of epochs run by the last call to ``fit`` or ``partial_fit``
        (``"lbfgs"``: iterations), as scikit-learn counts them.
    n_outputs_ : int
        Number of output units.
    out_activation_ : str
        Name of the output activation.
    history_ : skorch.History
        skorch's record of the training, one row per epoch."""


def normalization_parameter(of: str) -> str:
    """The ``normalization`` entry of the dense networks: after ``of``."""
    return f"""
    normalization : {{"batch", "layer"}} or None, default=None
        Normalisation after {of}: ``"batch"`` normalises with the
        statistics of each training batch, weighted by the sample weights (a
        weight of 2 counts as two copies of a sample), and with running
        statistics at prediction; ``"layer"`` normalises each sample over
        the layer's units (``LayerNorm``); None: none. (``"group"``, which
        the convolutional networks take, is ``"layer"`` on dense layers.)"""


BATCH_NORM_PARAMETER = """
    batch_norm : bool, default="deprecated"
        ``True`` is ``normalization="batch"``.

        .. deprecated:: 0.1
           ``batch_norm`` was renamed ``normalization`` in 0.1 and will be
           removed in 0.3."""

# input_shape means one thing in every estimator: the shape of one sample
# when X holds flat rows, in the layout the network reads a sample in
# (torch's: channels first for convolutions, steps first for recurrences).
INPUT_SHAPE_PARAMETER = """
    input_shape : tuple of int or None, default=None
        Shape of one sample when X holds flat rows (after a scaler in a
        ``Pipeline``, or a DataFrame): ``(length,)`` or ``(channels, length)``
        for signals, ``(channels, height, width)`` for images, e.g.
        ``(1, 8, 8)`` for scikit-learn's digits: channels first, as the
        convolutions read a sample. None reads the shape from X: 2D X is one
        signal per row, 3D X grey images (n_samples, height, width), 4D X
        images (n_samples, channels, height, width)."""

# The parameters of every sequence model (sknn/_sequences.py reads them;
# their constraints: sknn._params.SEQUENCE_CONSTRAINTS).
SEQUENCE_PARAMETERS = """
    embedding_dim : int or None, default=None
        With an int, X holds integer token ids (one per time step), embedded
        in vectors of this size before the sequence layers. The vocabulary
        is read from the training data; ids unseen in training are embedded
        as zeros at prediction.
    padding_id : int or None, default=None
        With token ids, the id that pads sequences to a common length (e.g. 0
        for most tokenizers). NaN always pads.
    input_shape : tuple of int or None, default=None
        Shape of one sample when X holds flat rows (after a transformer in a
        ``Pipeline``, or a DataFrame): ``(n_timesteps, n_features)`` or
        ``(n_timesteps,)``, steps first, as the recurrent layers read a
        sequence. None reads the shape from X: 2D X is one univariate
        sequence per row, 3D X (n_samples, n_timesteps, n_features).

    Sequences of different lengths come as a list of arrays of shape
    (length_i, n_features) (or (length_i,)), or as arrays padded at the end
    with time steps that are NaN in every feature (or ``padding_id``).
    Padding never changes a prediction: it is masked out (the recurrent
    networks run padded batches as packed sequences)."""

SEQUENCE_ATTRIBUTES = """
    n_step_features_ : int
        Features per time step (1 for token ids).
    vocabulary_size_ : int
        With ``embedding_dim``: one more than the largest token id seen in
        training."""

INPUT_SHAPE_ATTRIBUTE = """
    input_shape_ : tuple of int
        Shape of one sample as the network sees it: ``(channels, length)`` or
        ``(channels, height, width)``."""

ACTIVATIONS_LIST = (
    '``"identity"``, ``"logistic"``, ``"tanh"``, ``"relu"``, ``"gelu"``,\n'
    '        ``"elu"``, ``"leaky_relu"``, ``"selu"``, ``"silu"``'
)


def activation_parameter(of: str) -> str:
    """The ``activation`` entry: the activation ``of`` which layers."""
    return f"""
    activation : str, default="relu"
        Activation of {of}:
        {ACTIVATIONS_LIST}."""


CLASS_WEIGHT_PARAMETER = """
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes in the loss: ``{label: weight}``, or
        ``"balanced"`` for weights inversely proportional to class
        frequencies. Multiplies ``sample_weight``."""

REGRESSION_LOSS_PARAMETER = """
    loss : {"squared_error", "poisson", "absolute_error", "huber"}, \
default="squared_error"
        The training loss. ``"squared_error"`` and ``"poisson"`` (log link,
        non-negative targets) are scikit-learn's; ``"absolute_error"`` and
        ``"huber"`` (delta 1) resist outliers."""

CLASSES_ATTRIBUTE = """
    classes_ : ndarray of shape (n_classes,)
        The class labels (for multilabel targets, the label indices)."""


def with_defaults(section: str, **defaults: str) -> str:
    """``section`` with the ``default=`` of the named parameters replaced, for
    estimators whose defaults differ from scikit-learn's MLP."""
    for name, default in defaults.items():
        section, found = re.subn(
            rf"(\n    {name} : [^\n]*default=)[^\n]*", rf"\g<1>{default}", section
        )
        if not found:
            raise ValueError(f"no parameter {name!r} with a default in the section")
    return section


#: The runtime parameters of the networks that compute in float32 by default
#: (convolutional, recurrent and table networks).
FLOAT32_RUNTIME_PARAMETERS = with_defaults(RUNTIME_PARAMETERS, dtype='"float32"')
