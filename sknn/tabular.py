"""Networks for tables as they come: raw DataFrames, strong by default."""

from numbers import Integral, Real

from ._docs import (
    CLASS_WEIGHT_PARAMETER,
    CLASSES_ATTRIBUTE,
    FITTED_ATTRIBUTES,
    FLOAT32_RUNTIME_PARAMETERS,
    REGRESSION_LOSS_PARAMETER,
    activation_parameter,
)
from ._losses import MemberLoss
from ._params import (
    DEPRECATED,
    LAYER_SIZES,
    POSITIVE_INT,
    Renamed,
    positive_ints,
    store_parameters,
)
from ._sklearn import Hidden, Interval, StrOptions
from ._supervised import BaseNeuralClassifier, BaseNeuralRegressor
from ._tables import Tables
from ._training import (
    EARLY_STOPPING,
    LABEL_SMOOTHING,
    LABEL_SMOOTHING_DOC,
    LEARNING_RATE,
    ClassifierExtras,
    StandardizedTargets,
    TrainingExtras,
    training_doc,
)
from .modules import ACTIVATIONS
from .modules.tabular import NUMERIC_EMBEDDINGS, TabularMLP

# The table networks' embeddings of categorical columns; embedding_dim is the
# token embeddings of sequence and text models.
CATEGORICAL_EMBEDDING_DIM = Renamed("embedding_dim", "categorical_embedding_dim")

_TABULAR_CONSTRAINTS = {
    "early_stopping": EARLY_STOPPING,
    "hidden_layer_sizes": LAYER_SIZES,
    "activation": [StrOptions(set(ACTIVATIONS))],
    "dropout": [Interval(Real, 0, 1, closed="left")],
    "numeric_embedding": [StrOptions(set(NUMERIC_EMBEDDINGS))],
    "categorical_embedding_dim": POSITIVE_INT,
    "embedding_dim": [*POSITIVE_INT, Hidden(StrOptions({DEPRECATED}))],
    "n_ensemble": POSITIVE_INT,
    "max_one_hot": [Interval(Integral, 0, None, closed="left")],
    "categorical_features": [StrOptions({"from_dtype"}), "array-like", None],
    "learning_rate": LEARNING_RATE,
}

_TABULAR_NETWORK_DOC = (
    """
    hidden_layer_sizes : array-like of shape (n_layers - 2,) or int, \
default=(256, 256)
        The number of units of each hidden layer."""
    + activation_parameter("the hidden layers").replace(
        'default="relu"', 'default="silu"'
    )
    + """
    numeric_embedding : {"periodic", "none"}, default="periodic"
        How numeric columns enter the network: ``"periodic"`` adds to each
        one 4 learnt features of 16 learnt frequencies (periodic embeddings,
        as in RealMLP); ``"none"`` passes the scaled values alone.
    categorical_embedding_dim : int, default=8
        Size of the learnt embedding of each categorical column with more
        than ``max_one_hot`` categories.
    max_one_hot : int, default=8
        Categorical columns with at most this many categories are one-hot
        encoded, larger ones embedded.
    categorical_features : "from_dtype", array-like or None, default="from_dtype"
        Which columns are categorical: ``"from_dtype"`` takes those of pandas
        ``category``, ``object``, ``string`` and ``bool`` dtypes (integer
        columns are numeric); names, indices or a boolean mask add columns,
        such as integer codes of categories.
    n_ensemble : int, default=4
        Members of an ensemble that share the network (TabM's BatchEnsemble
        "mini" form): each scales the input by its own learnt vector and has
        its own output layer; each is trained on its own loss, and
        predictions average the members' probabilities (values). On the dev
        suite, 4 members won 9 tables of 15 against one network, at 2.8 times
        its fit time; 8 won 11, at 5.6 times (user guide). 1 trains a single
        network.
    dropout : float, default=0.0
        Probability of dropping each hidden unit during training (no better
        than none on the dev suite, and slower)."""
)

_EMBEDDING_DIM_DOC = """
    embedding_dim : int, default="deprecated"
        The size of categorical embeddings.

        .. deprecated:: 0.1
           ``embedding_dim`` was renamed ``categorical_embedding_dim`` in 0.1
           and will be removed in 0.3 (``embedding_dim`` is the size of token
           embeddings in the sequence models)."""

# early_stopping="auto" holds rows out from 250 on (50 held out), where it
# can: on the dev tables cut to 400 rows it won 12 of 15 against training
# every epoch, at 0.4 of the time (benchmarks/small_tables.py, user guide),
# and a table of 600 rows then trains as its 3 folds of 400 do. Below, the
# best of epochs scored on fewer than 50 rows is chancy: on 200 rows, as a
# DataFrame (float32) and as an array (float64), predictions differed by
# 0.02, beyond scikit-learn's check of consistent results.
_AUTO_FROM = 250

_TABULAR_TRAINING_DOC = training_doc(
    _AUTO_FROM,
    "constant (the default): with early stopping, it beat the cosine schedule "
    "on the dev suite",
    solver='"adamw"',
    alpha="0.01",
    learning_rate_init="0.002",
    max_iter="100",
    early_stopping='"auto"',
    validation_fraction="0.2",
    beta_2="0.95",
    n_iter_no_change="16",
)

_TABULAR_ATTRIBUTES_DOC = (
    FITTED_ATTRIBUTES
    + """
    is_categorical_ : ndarray of shape (`n_features_in_`,)
        Which input columns were read as categorical.
    categories_ : list of ndarray
        The categories of each categorical column, in the order of the
        columns, as learnt in ``fit``.
    module_ : torch.nn.Module
        The trained :class:`sknn.modules.TabularMLP`."""
)

_SMOOTHING_WHY = (
    "0.1 tied on accuracy on the dev suite, and\n        gave worse log-losses."
)

_HOW_IT_READS_TABLES = """
    It reads a table as it comes, a pandas DataFrame or an array, and learns
    its preprocessing in ``fit``: numeric columns are scaled robustly (median,
    interquartile range) and softly clipped, with the median for missing
    values and an indicator column where ``fit`` saw any; categorical columns
    are one-hot encoded or, beyond ``max_one_hot`` categories, embedded, with
    missing values and unseen categories handled. No pipeline is needed, and
    in one it also takes plain numeric arrays. The defaults were chosen by
    measurement on 15 tables (see the user guide, "Tables")."""


class _TabularMixin(TrainingExtras):
    """The table architecture: its kind of input, module, loss and tags."""

    _input_type = Tables
    _auto_early_stopping_min_samples = _AUTO_FROM
    _renamed = (CATEGORICAL_EMBEDDING_DIM,)
    _combine = "mean"

    def _build_module(self) -> TabularMLP:
        layout = self._table_layout
        return TabularMLP(
            n_numeric=layout.n_numeric,
            n_dense=layout.n_dense,
            cardinalities=layout.cardinalities,
            n_outputs=self.n_outputs_,
            hidden_layer_sizes=positive_ints(
                "hidden_layer_sizes", self.hidden_layer_sizes
            ),
            activation=self.activation,
            dropout=self.dropout,
            numeric_embedding=self.numeric_embedding,
            embedding_dim=self._param("categorical_embedding_dim"),
            n_ensemble=self.n_ensemble,
            combine=self._combine,
        )

    def _criterion(self):
        # Each ensemble member trains on the estimator's own loss.
        return MemberLoss(super()._criterion())

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.input_tags.allow_nan = True
        return tags


class TabularClassifier(_TabularMixin, ClassifierExtras, BaseNeuralClassifier):
    __doc__ = f"""Neural network classifier for tables: raw DataFrames in, labels out.
    {_HOW_IT_READS_TABLES}

    Parameters
    ----------
    {_TABULAR_NETWORK_DOC.strip()}
    {LABEL_SMOOTHING_DOC.format(default="0.0", why=_SMOOTHING_WHY).strip()}
    {_TABULAR_TRAINING_DOC.strip()}
    {FLOAT32_RUNTIME_PARAMETERS.strip()}
    {_EMBEDDING_DIM_DOC.strip()}
    {CLASS_WEIGHT_PARAMETER.strip()}

    Attributes
    ----------
    {CLASSES_ATTRIBUTE.strip()}
    {_TABULAR_ATTRIBUTES_DOC.strip()}

    See Also
    --------
    TabularRegressor : The same network for regression.
    MLPClassifier : scikit-learn's MLP, for numeric arrays.

    Notes
    -----
    With ``early_stopping=True`` (the default), ``validation_scores_`` holds
    the negative log-loss of the held-out data after each epoch, and the
    weights of the best epoch are kept.

    Examples
    --------
    >>> import pandas as pd
    >>> from sknn import TabularClassifier
    >>> X = pd.DataFrame({{
    ...     "colour": ["red", "blue", None, "red", "blue", "green"] * 20,
    ...     "size": [1.0, 2.5, 3.0, None, 0.5, 2.0] * 20,
    ... }})
    >>> y = ["warm", "cold", "cold", "warm", "cold", "cold"] * 20
    >>> clf = TabularClassifier(max_iter=20, random_state=0).fit(X, y)
    >>> clf.predict(X[:3]).tolist()
    ['warm', 'cold', 'cold']
    >>> clf.is_categorical_.tolist()
    [True, False]
    """

    _parameter_constraints: dict = {
        **BaseNeuralClassifier._parameter_constraints,
        **_TABULAR_CONSTRAINTS,
        "label_smoothing": LABEL_SMOOTHING,
    }

    def __init__(
        self,
        hidden_layer_sizes=(256, 256),
        activation="silu",
        *,
        numeric_embedding="periodic",
        categorical_embedding_dim=8,
        max_one_hot=8,
        categorical_features="from_dtype",
        n_ensemble=4,
        dropout=0.0,
        label_smoothing=0.0,
        solver="adamw",
        alpha=0.01,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.002,
        power_t=0.5,
        max_iter=100,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping="auto",
        validation_fraction=0.2,
        beta_1=0.9,
        beta_2=0.95,
        epsilon=1e-8,
        n_iter_no_change=16,
        max_fun=15000,
        class_weight=None,
        device="auto",
        dtype="float32",
        callbacks=None,
        progress_bar=False,
        distributed=False,
        embedding_dim="deprecated",
    ):
        store_parameters(self, locals())

    @property
    def _combine(self) -> str:
        return "softmax" if self._multiclass else "sigmoid"


class TabularRegressor(StandardizedTargets, _TabularMixin, BaseNeuralRegressor):
    __doc__ = f"""Neural network regressor for tables: raw DataFrames in, values out.
    {_HOW_IT_READS_TABLES} The targets are standardized inside (except with
    ``loss="poisson"``), so they need no scaling either.

    Parameters
    ----------
    {REGRESSION_LOSS_PARAMETER.strip()}
    {_TABULAR_NETWORK_DOC.strip()}
    {_TABULAR_TRAINING_DOC.strip()}
    {FLOAT32_RUNTIME_PARAMETERS.strip()}
    {_EMBEDDING_DIM_DOC.strip()}

    Attributes
    ----------
    {_TABULAR_ATTRIBUTES_DOC.strip()}

    See Also
    --------
    TabularClassifier : The same network for classification.
    MLPRegressor : scikit-learn's MLP, for numeric arrays.

    Notes
    -----
    With ``early_stopping=True`` (the default), ``validation_scores_`` holds
    the R² of the held-out data after each epoch, and the weights of the best
    epoch are kept.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from sknn import TabularRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = pd.DataFrame({{
    ...     "city": rng.choice(["Paris", "Lyon", "Nice"], 300),
    ...     "area": rng.uniform(20, 120, 300),
    ... }})
    >>> y = 3 * X["area"] + X["city"].map({{"Paris": 200, "Lyon": 80, "Nice": 120}})
    >>> reg = TabularRegressor(max_iter=30, random_state=0).fit(X, y)
    >>> reg.predict(X[:2]).shape
    (2,)
    >>> reg.score(X, y) > 0.9
    True
    """

    _parameter_constraints: dict = {
        **BaseNeuralRegressor._parameter_constraints,
        **_TABULAR_CONSTRAINTS,
    }

    def __init__(
        self,
        loss="squared_error",
        hidden_layer_sizes=(256, 256),
        activation="silu",
        *,
        numeric_embedding="periodic",
        categorical_embedding_dim=8,
        max_one_hot=8,
        categorical_features="from_dtype",
        n_ensemble=4,
        dropout=0.0,
        solver="adamw",
        alpha=0.01,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.002,
        power_t=0.5,
        max_iter=100,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping="auto",
        validation_fraction=0.2,
        beta_1=0.9,
        beta_2=0.95,
        epsilon=1e-8,
        n_iter_no_change=16,
        max_fun=15000,
        device="auto",
        dtype="float32",
        callbacks=None,
        progress_bar=False,
        distributed=False,
        embedding_dim="deprecated",
    ):
        store_parameters(self, locals())
