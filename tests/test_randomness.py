"""Random numbers (rand, randn, the *_like commands, normal, uniform, exponential, gamma,
poisson, bernoulli, multinomial; manual_seed, seed, initial_seed, get/set_rng_state).

Random values are compared with torch called with the same seed and the same call in
this process (the interpreter runs here, on the same generator), plus shape, dtype and
range checks; every form of call, and bad input as clear errors."""

import pytest
import torch

from tests.tclsession import TORCH

FLOATING = ["float32", "float64", "float16", "bfloat16"]
SEED = 1234


def tensor(tcl, script):
    return tcl.engine.tensor(tcl.eval(script))


def seeded(tcl, script, expected):
    """The tensor of ``script`` after torch::manual_seed, and torch's ``expected()`` after
    the same seed: equal in dtype, shape and every value."""
    assert tcl.eval(f"torch::manual_seed {SEED}") == "ok"
    actual = tensor(tcl, script)
    torch.manual_seed(SEED)
    wanted = expected()
    assert actual.dtype == wanted.dtype and actual.shape == wanted.shape
    assert torch.equal(actual, wanted), (actual, wanted)
    return actual


# ---- random tensors of a shape ----

@pytest.mark.parametrize("dtype", FLOATING + ["complex64"])
@pytest.mark.parametrize("name, function", [("rand", torch.rand), ("randn", torch.randn)])
@pytest.mark.parametrize("form", ["torch::{name} {{2 3}} cpu {dtype}", "torch::{name} -dtype {dtype} -shape {{2 3}}",
                                  "torch::tensor_{name} {{2 3}} -device cpu -dtype {dtype}",
                                  "torch::tensor{Name} -shape {{2 3}} -dtype {dtype}"])
def test_rand_and_randn_match_torch(tcl, name, function, form, dtype):
    d = torch.complex64 if dtype == "complex64" else TORCH[dtype]
    call = form.format(name=name, Name=name.title(), dtype=dtype)
    seeded(tcl, call, lambda: function(2, 3, dtype=d))


def test_rand_defaults_and_range(tcl):
    t = seeded(tcl, "torch::rand {10000}", lambda: torch.rand(10000))
    assert 0 <= t.min() and t.max() < 1
    seeded(tcl, "torch::rand {}", lambda: torch.rand(()))


# ---- shaped like another tensor ----

@pytest.mark.parametrize("dtype", FLOATING)
@pytest.mark.parametrize("name", ["rand_like", "randn_like"])
def test_rand_like_and_randn_like_match_torch(tcl, name, dtype):
    x = torch.zeros(3, 2, dtype=TORCH[dtype])
    t = tcl.create(x.float().numpy(), dtype)
    function = getattr(torch, name)
    camel = name.replace("_like", "Like")
    seeded(tcl, f"torch::{name} {t}", lambda: function(x))
    seeded(tcl, f"torch::{camel} -input {t} -dtype float64", lambda: function(x, dtype=torch.float64))
    seeded(tcl, f"torch::{name} {t} float32 cpu", lambda: function(x, dtype=torch.float32))
    assert tensor(tcl, f"torch::{name} -tensor {t} -requiresGrad 1").requires_grad


@pytest.mark.parametrize("dtype", ["int64", "int32", "int8", "float32", "float64"])
def test_randint_like_matches_torch(tcl, dtype):
    x = torch.zeros(4, 5)
    t = tcl.create(x.numpy(), "float32")
    d = TORCH[dtype]
    seeded(tcl, f"torch::randint_like {t} 10 5 {dtype}", lambda: torch.randint_like(x, 5, 10, dtype=d))
    seeded(tcl, f"torch::randintLike -input {t} -high 10 -low 5 -dtype {dtype}",
           lambda: torch.randint_like(x, 5, 10, dtype=d))
    seeded(tcl, f"torch::randint_like {t} 7 {dtype} cpu", lambda: torch.randint_like(x, 0, 7, dtype=d))


def test_randint_like_defaults_bounds_in_either_order_and_range(tcl):
    x = torch.zeros(3, 2, dtype=torch.float64)
    t = tcl.create(x.numpy(), "float64")
    seeded(tcl, f"torch::randint_like {t} 10", lambda: torch.randint_like(x, 10, dtype=torch.int64))
    seeded(tcl, f"torch::randint_like -input {t} -high 5 -low 10", lambda: torch.randint_like(x, 5, 10, dtype=torch.int64))
    r = tensor(tcl, "torch::randint_like [torch::zeros {1000}] 1000000 500000")
    assert r.dtype == torch.int64 and 500000 <= r.min() and r.max() < 1000000
    assert set(tensor(tcl, f"torch::randint_like {t} 43 42").flatten().tolist()) == {42}


# ---- samples of distributions ----

@pytest.mark.parametrize("dtype", FLOATING)
@pytest.mark.parametrize("call, expected", [
    ("torch::normal 5 2 {{2 3}} {dtype}", lambda d: torch.normal(5.0, 2.0, (2, 3), dtype=d)),
    ("torch::Normal -mean -1 -std 0.5 -size {{40}} -dtype {dtype} -device cpu",
     lambda d: torch.normal(-1.0, 0.5, (40,), dtype=d)),
    ("torch::uniform {{2 3}} -5.0 5.0 {dtype}", lambda d: torch.empty(2, 3, dtype=d).uniform_(-5, 5)),
    ("torch::uniform -size {{40}} -low 1 -high 2 -dtype {dtype}", lambda d: torch.empty(40, dtype=d).uniform_(1, 2)),
    ("torch::exponential {{2 3}} 2.0 {dtype} cpu", lambda d: torch.empty(2, 3, dtype=d).exponential_(2.0)),
    ("torch::exponential -size {{40}} -rate 0.5 -dtype {dtype}", lambda d: torch.empty(40, dtype=d).exponential_(0.5)),
])
def test_distributions_match_torch(tcl, call, expected, dtype):
    seeded(tcl, call.format(dtype=dtype), lambda: expected(TORCH[dtype]))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_gamma_and_poisson_match_torch(tcl, dtype):
    d = TORCH[dtype]

    def gamma(alpha, beta, shape):
        return torch.distributions.Gamma(torch.tensor(alpha, dtype=d), torch.tensor(beta, dtype=d)).sample(shape)
    seeded(tcl, f"torch::gamma {{2 3}} 2.0 3.0 {dtype}", lambda: gamma(2.0, 3.0, (2, 3)))
    seeded(tcl, f"torch::gamma -size {{50}} -alpha 0.5 -beta 2 -dtype {dtype} -device cpu", lambda: gamma(0.5, 2.0, (50,)))
    seeded(tcl, f"torch::poisson {{2 3}} 2.0 {dtype}", lambda: torch.poisson(torch.full((2, 3), 2.0, dtype=d)))
    seeded(tcl, f"torch::Poisson -size {{50}} -lambda 7.5 -dtype {dtype}",
           lambda: torch.poisson(torch.full((50,), 7.5, dtype=d)))


def test_distribution_defaults_and_ranges(tcl):
    seeded(tcl, "torch::normal 0 1", lambda: torch.normal(0.0, 1.0, (1,)))
    seeded(tcl, "torch::uniform -size {3}", lambda: torch.empty(3).uniform_(0, 1))
    seeded(tcl, "torch::exponential -size {3}", lambda: torch.empty(3).exponential_(1.0))
    u = tensor(tcl, "torch::uniform {10000} -1.0 -0.5")
    assert -1 <= u.min() and u.max() < -0.5
    assert tensor(tcl, "torch::exponential {10000} 2").min() > 0
    p = tensor(tcl, "torch::poisson {10000} 3")
    assert p.min() >= 0 and torch.equal(p, p.round()) and abs(p.mean() - 3) < 0.1
    g = tensor(tcl, "torch::gamma {20000} 2 4")
    assert g.min() > 0 and abs(g.mean() - 0.5) < 0.02  # alpha/beta
    n = tensor(tcl, "torch::normal 5 2 {20000}")
    assert abs(n.mean() - 5) < 0.1 and abs(n.std() - 2) < 0.1
    assert torch.equal(tensor(tcl, "torch::normal 3 0 {4}"), torch.full((4,), 3.0))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_bernoulli_matches_torch(tcl, dtype):
    probabilities = torch.tensor([[0.5, 0.8, 0.3], [0.0, 1.0, 0.9]], dtype=TORCH[dtype])
    t = tcl.create(probabilities.numpy(), dtype)
    seeded(tcl, f"torch::bernoulli {t}", lambda: torch.bernoulli(probabilities))
    seeded(tcl, f"torch::bernoulli -tensor {t}", lambda: torch.bernoulli(probabilities))
    seeded(tcl, f"torch::bernoulli {t} 0.6", lambda: torch.bernoulli(probabilities, 0.6))
    seeded(tcl, f"torch::bernoulli -input {t} -probability 0.25", lambda: torch.bernoulli(probabilities, 0.25))
    ones = tcl.create([1.0] * 5, dtype)
    assert tensor(tcl, f"torch::bernoulli -input {ones} -p 0").sum() == 0
    assert tensor(tcl, f"torch::bernoulli -input {ones} -p 1").sum() == 5


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_multinomial_matches_torch(tcl, dtype):
    weights = torch.tensor([[0.1, 0.2, 0.3, 0.4], [0.4, 0.3, 0.2, 0.1]], dtype=TORCH[dtype])
    t = tcl.create(weights.numpy(), dtype)
    row = tcl.create(weights[0].numpy(), dtype)
    seeded(tcl, f"torch::multinomial {t} 5", lambda: torch.multinomial(weights, 5, True))  # replacement by default
    seeded(tcl, f"torch::multinomial {row} 3 false", lambda: torch.multinomial(weights[0], 3, False))
    seeded(tcl, f"torch::multinomial -input {t} -numSamples 4 -replacement 0", lambda: torch.multinomial(weights, 4))
    seeded(tcl, f"torch::multinomial -num_samples 2 -input {row}", lambda: torch.multinomial(weights[0], 2, True))


# ---- the generator ----

def test_manual_seed_and_initial_seed(tcl):
    for call, seed in (("torch::manual_seed 42", 42), ("torch::manualSeed -seed 7", 7), ("torch::manual_seed -s 0", 0),
                       ("torch::manual_seed 18446744073709551615", 2**64 - 1)):
        assert tcl.eval(call) == "ok"
        assert int(tcl.eval("torch::initial_seed")) == int(tcl.eval("torch::initialSeed")) == torch.initial_seed() == seed


def test_seed_reseeds_from_a_new_source(tcl):
    first, second = int(tcl.eval("torch::seed")), int(tcl.eval("torch::seed"))
    assert first != second and torch.initial_seed() == second == int(tcl.eval("torch::initial_seed"))
    assert 0 <= first < 2**64


def test_rng_state_round_trip(tcl):
    tcl.eval("torch::manual_seed 5")
    state = tcl.eval("torch::get_rng_state")
    assert torch.equal(tcl.engine.tensor(state), torch.get_rng_state())
    assert tcl.engine.tensor(tcl.eval("torch::getRngState")).dtype == torch.uint8
    first = tcl.eval("torch::tensor_to_list [torch::rand {5}]")
    for call in (f"torch::set_rng_state {state}", f"torch::setRngState -stateTensor {state}",
                 f"torch::set_rng_state -state_tensor {state}"):
        assert tcl.eval(call) == "ok"
        assert tcl.eval("torch::tensor_to_list [torch::rand {5}]") == first
    tcl.eval(f"torch::set_rng_state {state}")  # the state just after seed 5
    ours = tensor(tcl, "torch::randn {3}")
    torch.manual_seed(5)
    assert torch.equal(ours, torch.randn(3))


# ---- bad input: each a clear error ----

def test_bad_input_is_a_clear_error(tcl):
    probabilities = tcl.create([0.5, 0.5], "float32")
    counts = tcl.create([1, 0], "int64")
    cases = [
        ("torch::rand {2} cpu int32", "Invalid dtype: rand needs a floating dtype, got Int32"),
        ("torch::rand {2} float64", 'Invalid device: expected cpu, cuda or cuda:<index>, got "float64"'),
        ("torch::rand -device cpu", "Required parameters missing: -shape"),
        ("torch::tensor_rand {2 2} cpu float32 extra", "Wrong number of arguments (wrong # args). Usage: torch::rand shape "
                                                       "?device? ?dtype?"),
        ("torch::rand {-1}", "Invalid shape: dimensions must not be negative"),
        ("torch::rand_like nosuch", "Invalid tensor name: nosuch"),
        ("torch::rand_like -dtype float32", "Required parameters missing: -input"),
        (f"torch::randn_like {counts}", "Invalid dtype: randn_like needs a floating dtype, got Int64"),
        (f"torch::rand_like {probabilities} -bad 1", "Unknown parameter: -bad"),
        (f"torch::randint_like {probabilities}", "Wrong number of arguments (wrong # args). Usage: torch::randint_like input high"),
        (f"torch::randint_like -input {probabilities}", "Required parameters missing: -high"),
        (f"torch::randint_like {probabilities} 3 3", "Invalid high: the range low .. high-1 is empty"),
        (f"torch::randint_like {probabilities} ten", 'Invalid high: expected integer, got "ten"'),
        (f"torch::randint_like -input {probabilities} -high 10 -requiresGrad true",
         "Invalid requires_grad: only floating-point tensors can require gradients"),
        (f"torch::randint_like {probabilities} 300 int8", "randint_like: "),
        ("torch::normal", "Wrong number of arguments (wrong # args). Usage: torch::normal mean std ?size? ?dtype? ?device?"),
        ("torch::normal -mean 0", "Required parameters missing: -std"),
        ("torch::normal 0 -1", "Invalid std: must not be negative, got -1.0"),
        ("torch::normal 0 1 {2} int32", "Invalid dtype: normal needs float16, bfloat16, float32 or float64, got Int32"),
        ("torch::normal 0 1 invalid_size", 'Invalid size: expected list of integers, got "invalid_size"'),
        ("torch::normal 0 1 {2} float32 invalid_device", 'Invalid device: expected cpu, cuda or cuda:<index>'),
        ("torch::uniform {2} 1.0 0.0", "Invalid range: low (1.0) must not be greater than high (0.0)"),
        ("torch::uniform {2} foo 1.0", 'Invalid low: expected number, got "foo"'),
        ("torch::uniform {2} 0 1 complex64", "Invalid dtype: uniform needs float16, bfloat16, float32 or float64"),
        ("torch::uniform -size {2 2} -foo 0.0", "Unknown parameter: -foo"),
        ("torch::exponential {2} 0", "Invalid rate: must be positive, got 0.0"),
        ("torch::exponential {2} -1.0", "Invalid rate: must be positive, got -1.0"),
        ("torch::exponential -rate 1.0", "Required parameters missing: -size"),
        ("torch::gamma {2} -1.0 1.0", "Invalid alpha: must be positive, got -1.0"),
        ("torch::gamma -size {2} -alpha 1.0 -beta 0.0", "Invalid beta: must be positive, got 0.0"),
        ("torch::gamma {2} 1 1 float16", "Invalid dtype: gamma needs float32 or float64, got Float16"),
        ("torch::poisson {2 2} -1.0", "Invalid lambda: must be non-negative"),
        ("torch::poisson {2} Inf", "Invalid lambda: must be finite, got inf"),
        ("torch::poisson {2 2} 2.0 int32", "Invalid dtype: must be float32 or float64"),
        ("torch::poisson -size {2}", "Required parameters missing: -lambda"),
        ("torch::bernoulli -p 0.5", "Required parameters missing: -input"),
        ("torch::bernoulli nosuch", "Invalid input tensor name: nosuch"),
        (f"torch::bernoulli {probabilities} -0.1", "bernoulli: Probability p must be in range [0.0, 1.0], got -0.1"),
        (f"torch::bernoulli -input {probabilities} -p 1.5", "bernoulli: Probability p must be in range [0.0, 1.0]"),
        ("torch::bernoulli [torch::tensor_create {0.5 2}]", "bernoulli: Probability p must be in range [0.0, 1.0]"),
        (f"torch::bernoulli {counts}", "Invalid input: bernoulli draws with the input's values as probabilities"),
        (f"torch::bernoulli {probabilities} 0.5 gen", "Wrong number of arguments (wrong # args). Usage: torch::bernoulli input ?p?"),
        (f"torch::multinomial {counts} 1", "Invalid input: multinomial needs a floating tensor of weights, got Int64"),
        (f"torch::multinomial {probabilities} 0", "Invalid numSamples: must be positive, got 0"),
        (f"torch::multinomial {probabilities} 3 false", "Invalid numSamples: without replacement at most 2"),
        ("torch::multinomial [torch::zeros {2 2 2}] 1", "Invalid input: multinomial needs a 1- or 2-dimensional"),
        ("torch::multinomial [torch::tensor_create {-0.1 0.2}] 1", "multinomial: probability tensor contains"),
        ("torch::multinomial -numSamples 3", "Required parameters missing: -input"),
        ("torch::manual_seed", "Wrong number of arguments (wrong # args). Usage: torch::manual_seed seed"),
        ("torch::manual_seed abc", 'Invalid seed: expected integer, got "abc"'),
        ("torch::manual_seed 18446744073709551616", "Invalid seed: expected a 64-bit integer"),
        ("torch::manual_seed -unknown 42", "Unknown parameter: -unknown. Valid parameters: -seed -s"),
        ("torch::seed 123", "Wrong number of arguments (wrong # args). Usage: torch::seed"),
        ("torch::initial_seed extra", "Wrong number of arguments (wrong # args). Usage: torch::initial_seed"),
        ("torch::get_rng_state extra", "Wrong number of arguments (wrong # args). Usage: torch::get_rng_state"),
        ("torch::set_rng_state", "Wrong number of arguments (wrong # args). Usage: torch::set_rng_state stateTensor"),
        ("torch::set_rng_state nosuch", "Invalid tensor name: nosuch"),
        (f"torch::set_rng_state {counts}", "Invalid stateTensor: expected a state from torch::get_rng_state "
                                           "(a UInt8 tensor of 5056 values on the cpu), got Int64 of shape {2} on cpu"),
        ("torch::set_rng_state [torch::zeros {64} uint8]", "Invalid stateTensor: expected a state"),
    ]
    for call, message in cases:
        assert tcl.error_detail(call).startswith(message), call
