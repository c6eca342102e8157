"""What a fit leaves: the fitted attributes every sknn estimator shares, read
from the trained net (its module and its skorch history) rather than stored
twice."""

import numpy as np
import torch

from ._engine import history_column, samples_seen
from ._optim import LBFGS


class FittedAttributes:
    """scikit-learn's MLP attributes (``loss_``, ``loss_curve_``, ``t_``,
    ``validation_scores_``...) and sknn's (``module_``, ``history_``), for
    an estimator whose fit set ``net_``."""

    @property
    def module_(self) -> torch.nn.Module:
        """The trained ``torch.nn.Module``."""
        return self.net_.module_

    @property
    def history_(self):
        """skorch ``History`` of the training: one row per epoch."""
        return self.net_.history

    @property
    def t_(self) -> int:
        """Number of training samples seen by the solver."""
        return samples_seen(self.history_)

    @property
    def loss_(self) -> float:
        """The loss at the end of training, L2 penalty included."""
        return float(self.history_[-1, "train_loss"])

    def _stochastic_only(self, name):
        if isinstance(self.net_.optimizer_, LBFGS):
            raise AttributeError(
                f"{name} is only available for the stochastic solvers "
                "(adam, adamw, sgd), like scikit-learn's."
            )

    @property
    def loss_curve_(self) -> list:
        """The training loss after each epoch (stochastic solvers)."""
        self._stochastic_only("loss_curve_")
        return history_column(self.history_, "train_loss")

    @property
    def validation_scores_(self) -> list | None:
        """Score on the held-out data after each epoch; None without early stopping."""
        self._stochastic_only("validation_scores_")
        scores = history_column(self.history_, "valid_score")
        return scores or None

    @property
    def best_validation_score_(self) -> float | None:
        """Best of ``validation_scores_`` (NaN scores, of diverged epochs,
        never count); None without early stopping."""
        scores = self.validation_scores_
        if scores is None:
            return None
        return max((s for s in scores if not np.isnan(s)), default=-np.inf)

    @property
    def best_loss_(self) -> float | None:
        """Lowest training loss reached; None with early stopping (as sklearn)."""
        if self.validation_scores_ is not None:
            return None
        return min(self.loss_curve_)
