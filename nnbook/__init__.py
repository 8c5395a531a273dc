"""nnbook: how a neural network computes its output and learns, in NumPy.

Each module is written in one chapter of the book and exported from its notebook:

- ``forward``   (chapter 1) parameters, activations, the forward pass
- ``gradient``  (chapter 2) losses, flattening parameters, numerical gradients, gradient checking
- ``backprop``  (chapter 3) the gradient of the loss by backpropagation
- ``descent``   (chapter 4) mini-batches and the training loop
- ``optim``     (chapter 5) SGD with momentum, AdaGrad, RMSProp, Adam; learning-rate schedules
- ``stability`` (chapter 6) gradient norms, clipping, a recurrent network
- ``data``      (chapter 7) datasets, one-hot labels, standardization, accuracy

Everything public is importable from ``nnbook`` directly.
"""

__version__ = "0.1.0"

# One line per chapter module, in book order.
from .forward import *
from .gradient import *
from .backprop import *
from .descent import *
from .optim import *
from .stability import *
from .data import *
