"""Each option of the activation group as its paper writes it, computed apart from the code
under test (on Python floats): what the activation tests compare against."""

import math

import numpy as np

from actlab.activations.rational import LEAKY_RELU_FIT


def sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def softplus(z: float) -> float:
    return math.log1p(math.exp(z))


def gelu(z: float) -> float:
    return 0.5 * z * (1 + math.erf(z / math.sqrt(2)))


def pau(z: float) -> float:
    """The leaky-ReLU fit's rational function, with numpy's polynomials."""
    numerator, denominator = LEAKY_RELU_FIT
    q = 1 + sum(abs(b) * abs(z) ** k for k, b in enumerate(denominator, 1))
    return float(np.polynomial.polynomial.polyval(z, numerator)) / q


SELU_ALPHA, SELU_SCALE = 1.6732632423543772, 1.0507009873554805
FORMULAS = {
    "relu": lambda z: max(z, 0.0),
    "leaky_relu": lambda z: z if z > 0 else 0.01 * z,
    "prelu": lambda z: z if z > 0 else 0.25 * z,
    "elu": lambda z: z if z > 0 else math.expm1(z),
    "celu": lambda z: z if z > 0 else math.expm1(z),
    "selu": lambda z: SELU_SCALE * (z if z > 0 else SELU_ALPHA * math.expm1(z)),
    "gelu": gelu,
    "gelu_tanh": lambda z: (
        0.5 * z * (1 + math.tanh(math.sqrt(2 / math.pi) * (z + 0.044715 * z**3)))
    ),
    "silu": lambda z: z * sigmoid(z),
    "swish": lambda z: z * sigmoid(z),
    "mish": lambda z: z * math.tanh(softplus(z)),
    "sigmoid": sigmoid,
    "tanh": math.tanh,
    "softplus": softplus,
    "hardswish": lambda z: z * min(max(z + 3, 0.0), 6.0) / 6,
    "hardsigmoid": lambda z: min(max(z + 3, 0.0), 6.0) / 6,
    "relu6": lambda z: min(max(z, 0.0), 6.0),
    "hardtanh": lambda z: min(max(z, -1.0), 1.0),
    "softsign": lambda z: z / (1 + abs(z)),
    "squared_relu": lambda z: max(z, 0.0) ** 2,
    "elliott": lambda z: 0.5 * z / (1 + abs(z)) + 0.5,
    "lisht": lambda z: z * math.tanh(z),
    # The learnable ones at their start.
    "asigmoid": sigmoid,
    "atanh": math.tanh,
    "arelu": lambda z: max(z, 0.0),
    "adaptive_mix": lambda z: (math.tanh(z) + sigmoid(z) + max(z, 0.0)) / 3,
    "fixed_mix": lambda z: (math.tanh(z) + sigmoid(z) + max(z, 0.0)) / 3,
    "swish_beta": lambda z: z * sigmoid(z),
    "acon_c": lambda z: z * sigmoid(z),
    "pdelu": lambda z: z if z > 0 else max(1 + 0.1 * z, 0.0) ** 10 - 1,
    "srs": lambda z: z / (z / 5 + math.exp(-z / 3)),
    "pau": pau,
}
"""f(z) of each elementwise option, as its paper writes it (learnable ones as they start)."""
