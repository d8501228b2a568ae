"""What a tensor command costs over calling torch itself, in one process.

Each case runs the same operation as a Tcl loop of torch:: commands (the result's
handle freed each time, as a script keeps its handles in check) and as a Python loop of
torch calls on the same tensors; the overhead is the difference per call (the bulk
conversions of 1M values are in `python -m benchmarks`, mode bulk):

    python -m benchmarks.overhead [--calls 20000] [--rounds 5]
"""

import time

import torch

from tcltorch_mpi import interp

from . import argument_parser

# name: (Tcl loop body, the torch call it makes); $a, $b: 8 float32.
CASES = {
    "tensor_add of two 8-element tensors": ("torch::tensor_free [torch::tensor_add $a $b]",
                                            lambda t: torch.add(t["a"], t["b"])),
    "tensor_sum of 8 elements": ("torch::tensor_free [torch::tensor_sum $a]", lambda t: torch.sum(t["a"])),
    "tensor_mul by a number": ("torch::tensor_free [torch::tensor_mul $a 2.5]", lambda t: torch.mul(t["a"], 2.5)),
    "tensor_sum, named form": ("torch::tensor_free [torch::tensor_sum -input $a]", lambda t: torch.sum(t["a"])),
}


def best(run, calls, rounds):
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        run(calls)
        times.append(time.perf_counter() - start)
    return min(times) / calls


def measure(tk, engine, calls=20000, rounds=5):
    """{case: (torch us, command us, overhead us)}."""
    tk.eval("set a [torch::tensor_create {1 2 3 4 5 6 7 8} float32]; set b [torch::ones {8}]")
    tensors = {name: engine.tensor(tk.getvar(name)) for name in ("a", "b")}
    figures = {}
    for index, (name, (body, direct)) in enumerate(CASES.items()):
        proc = f"::overhead_{index}"
        tk.eval(f"proc {proc} {{n}} {{ global a b\n for {{set i 0}} {{$i < $n}} {{incr i}} {{ {body} }} }}")

        def python_loop(n, direct=direct):
            for _ in range(n):
                direct(tensors)
        command = best(lambda n, proc=proc: tk.call(proc, n), calls, rounds) * 1e6
        plain = best(python_loop, calls, rounds) * 1e6
        figures[name] = (plain, command, command - plain)
    return figures


def main(argv=None):
    parser = argument_parser("python -m benchmarks.overhead", __doc__)
    parser.add_argument("--calls", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    tk, engine = interp.create()
    figures = measure(tk, engine, args.calls, args.rounds)
    print(f"# best of {args.rounds} rounds of {args.calls} calls: us per call")
    print(f"{'torch':>8} {'command':>8} {'overhead':>9}  case")
    for name, (plain, command, overhead) in figures.items():
        print(f"{plain:8.2f} {command:8.2f} {overhead:9.2f}  {name}")
    interp.end(engine)


if __name__ == "__main__":
    main()
