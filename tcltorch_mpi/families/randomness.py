"""Random numbers: random tensors, samples of distributions, and the generator's seed
and state."""

import math

import torch

from .. import dtypes
from ..errors import CommandError, tcl_list
from ..params import DEVICE, DIMENSIONS, DTYPE, RANDOM
from ..spec import Command, Param
from .creation import DEVICE_OF_INPUT, LIKE_INPUT, NAMED_REQUIRES_GRAD, like, skipped

# The distributions' shape is -size in the extension (the plain tensors' is -shape).
SIZE = Param("size", "shape", doc="Dimensions of the result, e.g. {2 3}")
_REAL = (torch.float16, torch.bfloat16, torch.float32, torch.float64)


def _floating(name, dtype, allowed=None):
    """dtype, checked to be one that name samples in: floating (or complex), or one of allowed."""
    ok = dtype in allowed if allowed else not dtypes.is_integral(dtype)
    if not ok:
        names = [dtypes.DISPLAY[d].lower() for d in allowed or ()]
        needs = f"{', '.join(names[:-1])} or {names[-1]}" if names else "a floating dtype"
        raise CommandError(f"Invalid dtype: {name} needs {needs}, got {dtypes.DISPLAY[dtype]}")
    return dtype


def _sampled(name, camel, summary, params, engine, aliases=()):
    """A distribution's declaration: size, its parameters, then dtype and device."""
    return Command(name, camel, RANDOM, summary, (SIZE, *params, DTYPE, DEVICE), engine=engine, aliases=aliases)


class RandomCommands:
    # ---- random tensors of a shape ----

    def random(self, name, function, shape, device, dtype):
        """function(shape, dtype=, device=) of a floating dtype: randn, rand."""
        return self.filled(name, function, shape, _floating(name, dtype), device)

    # ---- shaped like another tensor (the creation family's like) ----

    def rand_like(self, input, dtype, device, requires_grad):
        dtype = _floating("rand_like", input.dtype if dtype is None else dtype)
        return self.like("rand_like", torch.rand, input, dtype, device, requires_grad)

    def randn_like(self, input, dtype, device, requires_grad):
        dtype = _floating("randn_like", input.dtype if dtype is None else dtype)
        return self.like("randn_like", torch.randn, input, dtype, device, requires_grad)

    def randint_like(self, input, high, low, dtype, device, requires_grad):
        # The extension takes the two bounds in either order (randint_like $t 10 5: 5 .. 9).
        low, high = min(low, high), max(low, high)
        if low == high:
            raise CommandError(f"Invalid high: the range low .. high-1 is empty (low and high are both {low})")
        return self.like("randint_like", lambda size, **kw: torch.randint(low, high, size, **kw),
                         input, dtype, device, requires_grad)

    # ---- samples of distributions ----

    def normal(self, mean, std, size, dtype, device):
        if std < 0:
            raise CommandError(f"Invalid std: must not be negative, got {std}")
        return self.filled("normal", lambda shape, **kw: torch.normal(mean, std, shape, **kw), size,
                            _floating("normal", dtype, _REAL), device)

    def uniform(self, size, low, high, dtype, device):
        if low > high:
            raise CommandError(f"Invalid range: low ({low}) must not be greater than high ({high})")
        return self.filled("uniform", lambda shape, **kw: torch.empty(shape, **kw).uniform_(low, high), size,
                            _floating("uniform", dtype, _REAL), device)

    def exponential(self, size, rate, dtype, device):
        if not rate > 0:
            raise CommandError(f"Invalid rate: must be positive, got {rate}")
        return self.filled("exponential", lambda shape, **kw: torch.empty(shape, **kw).exponential_(rate), size,
                            _floating("exponential", dtype, _REAL), device)

    def gamma(self, size, alpha, beta, dtype, device):
        for name, value in (("alpha", alpha), ("beta", beta)):
            if not value > 0:
                raise CommandError(f"Invalid {name}: must be positive, got {value}")

        def sample(shape, dtype, device):
            # Gamma(concentration alpha, rate beta): mean alpha/beta.
            parameters = (torch.tensor(v, dtype=dtype, device=device) for v in (alpha, beta))
            return torch.distributions.Gamma(*parameters).sample(shape)
        return self.filled("gamma", sample, size, _floating("gamma", dtype, (torch.float32, torch.float64)), device)

    def poisson(self, size, lambda_, dtype, device):
        if not lambda_ >= 0:
            raise CommandError("Invalid lambda: must be non-negative")
        if lambda_ == math.inf:
            raise CommandError("Invalid lambda: must be finite, got inf")
        if dtype not in (torch.float32, torch.float64):  # the extension's words
            raise CommandError("Invalid dtype: must be float32 or float64")
        return self.filled("poisson", lambda shape, **kw: torch.poisson(torch.full(shape, lambda_, **kw)), size,
                            dtype, device)

    def bernoulli(self, input, p):
        if p is None:
            if not input.dtype.is_floating_point:
                raise CommandError(f"Invalid input: bernoulli draws with the input's values as probabilities, "
                                   f"so it needs a floating tensor, got {dtypes.DISPLAY[input.dtype]}")
            if input.numel() and not bool(((input >= 0) & (input <= 1)).all()):
                raise CommandError("bernoulli: Probability p must be in range [0.0, 1.0]: "
                                   "the input's values are the probabilities")
            return torch.bernoulli(input)
        if not 0 <= p <= 1:
            raise CommandError(f"bernoulli: Probability p must be in range [0.0, 1.0], got {p}")
        return torch.bernoulli(input, p)

    def multinomial(self, input, num_samples, replacement):
        if not input.dtype.is_floating_point:
            raise CommandError(f"Invalid input: multinomial needs a floating tensor of weights, "
                               f"got {dtypes.DISPLAY[input.dtype]}")
        if input.dim() not in (1, 2):
            raise CommandError(f"Invalid input: multinomial needs a 1- or 2-dimensional tensor of weights, "
                               f"got shape {tcl_list(list(input.shape))}")
        categories = input.shape[-1]
        if num_samples <= 0:
            raise CommandError(f"Invalid numSamples: must be positive, got {num_samples}")
        if not replacement and num_samples > categories:
            raise CommandError(f"Invalid numSamples: without replacement at most {categories} "
                               f"(the number of categories), got {num_samples}")
        return torch.multinomial(input, num_samples, replacement)

    # ---- the generator ----

    def manual_seed(self, seed):
        if not -2**63 <= seed < 2**64:
            raise CommandError(f"Invalid seed: expected a 64-bit integer, got {seed}")
        torch.manual_seed(seed)
        return "ok"

    def seed(self):
        return torch.seed()

    def initial_seed(self):
        return torch.initial_seed()

    def get_rng_state(self):
        return torch.get_rng_state()

    def set_rng_state(self, state_tensor):
        expected = torch.get_rng_state()
        if (state_tensor.dtype, state_tensor.shape, state_tensor.device.type) != \
                (expected.dtype, expected.shape, "cpu"):
            raise CommandError(
                f"Invalid stateTensor: expected a state from torch::get_rng_state (a UInt8 tensor of "
                f"{expected.numel()} values on the cpu), got {dtypes.DISPLAY[state_tensor.dtype]} of shape "
                f"{tcl_list(list(state_tensor.shape))} on {state_tensor.device}")
        torch.set_rng_state(state_tensor)
        return "ok"


C = RandomCommands
_INPUT = Param("input", "tensor", doc="Handle of the tensor", named=("-input", "-tensor"))
COMMANDS = (
    Command("randn", "randn", RANDOM, "Normally distributed random values", (DIMENSIONS, DEVICE, DTYPE),
            engine=C.random, fixed=("randn", torch.randn), aliases=("tensor_randn", "tensorRandn")),
    Command("rand", "rand", RANDOM, "Uniformly distributed random values in [0, 1)", (DIMENSIONS, DEVICE, DTYPE),
            engine=C.random, fixed=("rand", torch.rand), aliases=("tensor_rand", "tensorRand")),
    like("rand_like", "randLike", RANDOM, "Uniform random values in [0, 1) in the shape of a tensor", C.rand_like),
    like("randn_like", "randnLike", RANDOM, "Normally distributed random values in the shape of a tensor",
         C.randn_like),
    Command("randint_like", "randintLike", RANDOM, "Random integers low .. high-1 in the shape of a tensor", (
        LIKE_INPUT, Param("high", "int", doc="End of the range (not included)"),
        Param("low", "int", 0, "Start of the range (included)"),
        # int64 by default (the extension's), whatever the input's dtype
        Param("dtype", "dtype", "int64", "Element type"),
        DEVICE_OF_INPUT, NAMED_REQUIRES_GRAD), engine=C.randint_like, prepare=lambda words: skipped(words, 2, "0")),
    Command("normal", "normal", RANDOM, "Samples of the normal distribution of a mean and std", (
        Param("mean", "double", doc="Mean"), Param("std", "double", doc="Standard deviation (0 or more)"),
        Param("size", "shape", "1", "Dimensions of the result"), DTYPE, DEVICE), engine=C.normal, aliases=("Normal",)),
    _sampled("uniform", "uniform", "Samples of the uniform distribution on [low, high)", (
        Param("low", "double", 0.0, "Lower bound (included)", required_positionally=True),
        Param("high", "double", 1.0, "Upper bound (not included)", required_positionally=True)), C.uniform),
    _sampled("exponential", "exponential", "Samples of the exponential distribution of a rate (mean 1/rate)", (
        Param("rate", "double", 1.0, "Rate lambda (more than 0)", required_positionally=True),), C.exponential),
    _sampled("gamma", "gamma", "Samples of the gamma distribution of shape alpha and rate beta (mean alpha/beta)", (
        Param("alpha", "double", doc="Shape (concentration), more than 0"),
        Param("beta", "double", doc="Rate, more than 0")), C.gamma),
    _sampled("poisson", "poisson", "Samples of the Poisson distribution of rate lambda", (
        Param("lambda", "double", doc="Rate: the mean count (0 or more)", arg="lambda_"),), C.poisson,
             aliases=("Poisson",)),
    Command("bernoulli", "bernoulli", RANDOM, "0/1 samples: 1 with the input's values (or p) as probability", (
        _INPUT.naming_role(),
        Param("p", "double", None, "Probability of a 1 for every element; the input's values when not given",
              named=("-p", "-probability"))), engine=C.bernoulli),
    Command("multinomial", "multinomial", RANDOM, "Indices drawn with the weights of each row", (
        Param("input", "tensor", doc="Handle of a 1- or 2-dimensional tensor of non-negative weights",
              named=("-input", "-tensor")),
        Param("numSamples", "int", doc="How many indices to draw per row", named=("-numSamples", "-num_samples")),
        Param("replacement", "bool", 1, "Draw with replacement (an index can repeat)")), engine=C.multinomial),
    Command("manual_seed", "manualSeed", RANDOM, "Seed the random generator",
            (Param("seed", "int", doc="The seed (64-bit)", named=("-seed", "-s")),), engine=C.manual_seed),
    Command("seed", "seed", RANDOM, "Seed the random generator from a non-deterministic source; returns the seed",
            engine=C.seed),
    Command("initial_seed", "initialSeed", RANDOM, "The seed the random generator was last seeded with",
            engine=C.initial_seed),
    Command("get_rng_state", "getRngState", RANDOM, "The random generator's state, as a UInt8 tensor",
            engine=C.get_rng_state),
    Command("set_rng_state", "setRngState", RANDOM, "Restore the random generator's state from get_rng_state", (
        Param("stateTensor", "tensor", doc="Handle of a state from torch::get_rng_state",
              named=("-stateTensor", "-state_tensor")),), engine=C.set_rng_state),
)
