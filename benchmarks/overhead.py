"""What a tensor command costs over calling torch itself, in one process.

Each case runs the same operation as a Tcl loop of one torch:: command and as a Python
loop of the torch call it makes, on the same tensors; the overhead is the difference
per call. The loop that also frees each result (torch::tensor_free, as a long script
does) is shown beside it. The bulk conversions of 1M values are in `python -m
benchmarks` (mode bulk):

    python -m benchmarks.overhead [--calls 20000] [--rounds 5]
"""

import time

import torch

from tcltorch_mpi import interp

from . import argument_parser

# name: (the command, the torch call it makes); $a, $b: 8 float32.
CASES = {
    "tensor_add of two 8-element tensors": ("torch::tensor_add $a $b", lambda t: torch.add(t["a"], t["b"])),
    "tensor_sum of 8 elements": ("torch::tensor_sum $a", lambda t: torch.sum(t["a"])),
    "tensor_mul by a number": ("torch::tensor_mul $a 2.5", lambda t: torch.mul(t["a"], 2.5)),
    "tensor_sum, named form": ("torch::tensor_sum -input $a", lambda t: torch.sum(t["a"])),
}


def timed(run, calls):
    start = time.perf_counter()
    run(calls)
    return (time.perf_counter() - start) / calls


def measure(tk, engine, calls=20000, rounds=5):
    """{case: (torch us, command us, overhead us, command and tensor_free us)}, each the
    best of its rounds. The three loops take turns round by round, so that a slower
    spell of the machine falls on all of them, and each round of the command alone
    starts without the last round's results alive (they would add to Python's garbage
    collection what a loop that frees does not pay)."""
    tk.eval("set a [torch::tensor_create {1 2 3 4 5 6 7 8} float32]; set b [torch::ones {8}]")
    tensors = {name: engine.tensor(tk.getvar(name)) for name in ("a", "b")}
    kept = {tk.getvar("a"), tk.getvar("b")}
    figures = {}
    for index, (name, (command, direct)) in enumerate(CASES.items()):
        procs = {}
        for kind, body in (("bare", command), ("freed", f"torch::tensor_free [{command}]")):
            procs[kind] = f"::overhead_{kind}_{index}"
            tk.eval(f"proc {procs[kind]} {{n}} {{ global a b\n for {{set i 0}} {{$i < $n}} {{incr i}} {{ {body} }} }}")

        def python_loop(n, direct=direct):
            for _ in range(n):
                direct(tensors)
        plain, bare, freed = [], [], []
        for _ in range(rounds):
            plain.append(timed(python_loop, calls))
            bare.append(timed(lambda n: tk.call(procs["bare"], n), calls))
            engine.tensor_free([h for h in engine.tensors.names() if h not in kept])  # its results
            freed.append(timed(lambda n: tk.call(procs["freed"], n), calls))
        plain, bare, freed = (min(times) * 1e6 for times in (plain, bare, freed))
        figures[name] = (plain, bare, bare - plain, freed)
    return figures


def main(argv=None):
    parser = argument_parser("python -m benchmarks.overhead", __doc__)
    parser.add_argument("--calls", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    tk, engine = interp.create()
    figures = measure(tk, engine, args.calls, args.rounds)
    print(f"# best of {args.rounds} rounds of {args.calls} calls: us per call")
    print(f"{'torch':>8} {'command':>8} {'overhead':>9} {'and free':>9}  case")
    for name, (plain, command, overhead, freed) in figures.items():
        print(f"{plain:8.2f} {command:8.2f} {overhead:9.2f} {freed:9.2f}  {name}")
    interp.end(engine)


if __name__ == "__main__":
    main()
