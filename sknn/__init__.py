"""sknn: PyTorch neural networks that behave exactly like scikit-learn estimators."""

from .autoencoder import Autoencoder
from .cnn import CNNClassifier, CNNRegressor
from .cnn_autoencoder import CNNAutoencoder
from .mlp import MLPClassifier, MLPRegressor
from .rnn import RNNClassifier, RNNRegressor
from .series import SeriesClassifier, SeriesRegressor
from .tabular import TabularClassifier, TabularRegressor

__version__ = "0.1.0.dev0"

__all__ = [
    "Autoencoder",
    "CNNAutoencoder",
    "CNNClassifier",
    "CNNRegressor",
    "MLPClassifier",
    "MLPRegressor",
    "RNNClassifier",
    "RNNRegressor",
    "SeriesClassifier",
    "SeriesRegressor",
    "TabularClassifier",
    "TabularRegressor",
    "__version__",
]
