"""Train one MLP across the processes that torchrun starts.

    torchrun --nproc-per-node 2 fit_distributed.py model.pkl

Every process loads the same data and calls fit; each trains on its share of
every batch of 256, and every process ends with the same model. Rank 0
reports and saves it.
"""

import pickle
import sys

import torch.distributed as dist
from sklearn.datasets import load_digits

from sknn import MLPClassifier

dist.init_process_group("gloo")  # "nccl" on GPUs, one process per GPU

X, y = load_digits(return_X_y=True)
X = X / 16.0
X_train, y_train, X_test, y_test = X[:1500], y[:1500], X[1500:], y[1500:]

clf = MLPClassifier(batch_size=256, random_state=0, distributed=True)
clf.fit(X_train, y_train)

if dist.get_rank() == 0:
    print(f"test accuracy: {clf.score(X_test, y_test):.3f}")
    with open(sys.argv[1], "wb") as file:
        pickle.dump(clf, file)

# Every process leaves together: a process tearing its process group down
# while another still works can abort in gloo's threads.
dist.barrier()
dist.destroy_process_group()
