"""The networks themselves: plain ``torch.nn.Module`` classes with explicit sizes.

Nothing here knows about scikit-learn; the estimators in ``sknn`` compute the
sizes from the data and build these modules.
"""

from ._layers import ACTIVATIONS, make_activation
from .augment import RandomShiftFlip
from .autoencoder import DenseAutoencoder
from .cnn import CNN
from .conv_autoencoder import ConvAutoencoder
from .mlp import MLP
from .rnn import RNN
from .series import MiniRocket
from .tabular import PeriodicEmbedding, TabularMLP

__all__ = [
    "ACTIVATIONS",
    "CNN",
    "MLP",
    "RNN",
    "ConvAutoencoder",
    "DenseAutoencoder",
    "MiniRocket",
    "PeriodicEmbedding",
    "RandomShiftFlip",
    "TabularMLP",
    "make_activation",
]
