"""Random training-time augmentation of signals and images, as a layer.

Like dropout, the layer transforms its input only in training mode and is the
identity in evaluation mode, so ``predict`` sees the data unchanged.
"""

import torch
from torch import nn


class RandomShiftFlip(nn.Module):
    """Shift each sample by up to ``max_shift`` positions along every spatial
    axis (filling with zeros), and mirror it along its last axis with
    probability one half when ``flip``.

    Parameters
    ----------
    max_shift : int, default=0
        Largest shift, in positions (pixels), in each direction.
    flip : bool, default=False
        Whether to mirror samples left-right at random.

    Examples
    --------
    >>> import torch
    >>> from sknn.modules import RandomShiftFlip
    >>> layer = RandomShiftFlip(max_shift=1, flip=True)
    >>> images = torch.ones(4, 1, 8, 8)
    >>> layer(images).shape
    torch.Size([4, 1, 8, 8])
    >>> torch.equal(layer.eval()(images), images)
    True
    """

    def __init__(self, max_shift: int = 0, flip: bool = False):
        super().__init__()
        self.max_shift = max_shift
        self.flip = flip

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        if not self.training:
            return X
        if self.flip:
            mirror = torch.rand(X.shape[0], device=X.device) < 0.5  # (N,)
            mirror = mirror.view(-1, *([1] * (X.ndim - 1)))
            X = torch.where(mirror, X.flip(-1), X)  # (N, C, *positions)
        if self.max_shift > 0:
            X = self._shift(X)
        return X

    def _shift(self, X: torch.Tensor) -> torch.Tensor:
        s, n, spatial = self.max_shift, X.shape[0], X.shape[2:]
        padded = nn.functional.pad(X, [s, s] * len(spatial))  # (N, C, *positions+2s)
        offsets = torch.randint(0, 2 * s + 1, (n, len(spatial)), device=X.device)
        index = [torch.arange(n, device=X.device).view(-1, *([1] * len(spatial)))]
        for axis, size in enumerate(spatial):
            shape = [n] + [1] * len(spatial)
            shape[axis + 1] = size
            positions = (
                torch.arange(size, device=X.device) + offsets[:, axis : axis + 1]
            )
            index.append(positions.view(shape))  # (N, 1.., size, ..1)
        # Advanced indices around the channel slice come first: (N, *positions, C).
        shifted = padded[(index[0], slice(None), *index[1:])]
        return shifted.movedim(-1, 1)  # (N, C, *positions)

    def extra_repr(self) -> str:
        return f"max_shift={self.max_shift}, flip={self.flip}"
