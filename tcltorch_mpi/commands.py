"""The command table: every torch:: command, declared once.

A declaration names the command in both spellings (and any older ones), its family
and one-line summary, each parameter (see spec.Param: positional place, kind, default,
named spellings), and what it calls: an engine function (a method of TensorCommands,
DistributedCommands or InfoCommands, taking the converted values in declaration order)
or, for a command that is one torch call, the torch function itself. The shim's parser,
the engine primitives, `torch::help` and docs/commands/*.md are all made from this
table; adding a command is adding a declaration (docs/adding-a-command.md).
"""

import re

import torch

from .distributed_commands import DistributedCommands as D
from .info_commands import InfoCommands as I
from .spec import Command, Param
from .tensor_commands import TensorCommands as T

DISTRIBUTED = "Distributed: setup and queries"
COLLECTIVES = "Distributed: collectives"
POINT_TO_POINT = "Distributed: point-to-point"
GROUPS = "Distributed: process groups"
CREATION = "Tensor creation"
INFO = "Tensor information and conversion"
MATH = "Tensor math"
ROUTING = "Tensor routing and indexing"
RUNTIME = "Runtime and help"

TENSOR = Param("tensor", "tensor", doc="Handle of the input tensor", named=("-tensor", "-input"))
INPUT = Param("input", "tensor", doc="Handle of the first tensor", named=("-input", "-a"))
OTHER = Param("other", "tensor", doc="Handle of the second tensor", named=("-other", "-b"))
GROUP = Param("group", "group", "", "Process group name; empty means all processes")
NAMED_GROUP = Param("group", "group", "", "Process group name; empty means all processes", named_only=True)
DTYPE = Param("dtype", "dtype", "float32", "Element type")
DEVICE = Param("device", "device", "cpu", "Device: cpu, cuda or cuda:<index>")
REQUIRES_GRAD = Param("requires_grad", "bool", 0, "Whether autograd records operations on it",
                      named=("-requiresGrad", "-requires_grad"))
SHAPE = Param("shape", "shape", doc="Dimensions, e.g. {2 3}")
OPERATION = Param("operation", "text", "sum", "Reduction: sum mean max min product band bor bxor",
                  named=("-operation", "-op"))
TAG = Param("tag", "int", 0, "Message tag (0 .. 2**31-1)")
REQUEST = Param("request", "request", doc="Handle of a request from isend, irecv or -async", named=("-handle", "-request"))


def _dtype_without_shape(words):
    """tensor_create {1 2 3} int32 ?device? ?requires_grad?: a word in second place is a
    dtype, not a shape (a shape is integers), so a misspelt dtype is reported as one."""
    if len(words) >= 2 and re.fullmatch(r"[A-Za-z]\w*", words[1]):
        return [words[0], "", *words[1:]]
    return words


def _end_only(words):
    """arange end: start defaults to 0."""
    return ["0", *words] if len(words) == 1 else words


def _filled(name, camel, summary, engine):
    return Command(name, camel, CREATION, summary, (SHAPE, DTYPE, DEVICE, REQUIRES_GRAD), engine=engine)


def _reduction(name, camel, summary, engine):
    return Command(name, camel, COLLECTIVES, summary, (
        Param("tensor", "tensor", doc="Handle of this rank's input tensor"),
        Param("operation", "text", "sum", "Reduction: sum mean max min product band bor bxor",
              named=("-operation", "-op") if name == "distributed_all_reduce" else ("-op", "-operation")),
        GROUP), engine=engine)


def _binary(name, camel, summary, function):
    return Command(name, camel, MATH, summary, (INPUT, OTHER), torch=function)


COMMANDS = (
    # ---- distributed: setup and queries ----
    Command("distributed_init", "distributedInit", DISTRIBUTED,
            "Accepted for older scripts: MPI is started by the runner", (
                Param("rank", "int", None, "Expected rank (the launcher's wins)"),
                Param("world_size", "int", None, "Expected world size (the launcher's wins)"),
                Param("master_addr", "text", "", "Ignored (MPI needs no rendezvous address)"),
                Param("master_port", "text", "", "Ignored"),
                Param("backend", "text", "", "Ignored: the backend is MPI")), engine=D.distributed_init),
    Command("get_rank", "getRank", DISTRIBUTED, "This process's rank in a group", (GROUP,), engine=D.get_rank),
    Command("get_world_size", "getWorldSize", DISTRIBUTED, "The number of processes in a group", (GROUP,),
            engine=D.get_world_size),
    Command("is_distributed", "isDistributed", DISTRIBUTED, "1 when the job has more than one process",
            engine=D.is_distributed),

    # ---- distributed: collectives ----
    Command("distributed_barrier", "distributedBarrier", COLLECTIVES, "Wait until every rank of a group arrives",
            (GROUP,), engine=D.distributed_barrier),
    _reduction("distributed_all_reduce", "distributedAllReduce",
               "Elementwise reduction over a group; every rank gets the result", D.distributed_all_reduce),
    Command("distributed_broadcast", "distributedBroadcast", COLLECTIVES, "Every rank gets root's tensor", (
        Param("tensor", "tensor", doc="Handle of the tensor (only root's data is sent)"),
        Param("root", "int", 0, "Group rank whose tensor is sent", named=("-root", "-src")),
        GROUP), engine=D.distributed_broadcast),
    Command("distributed_gather", "distributedGather", COLLECTIVES,
            "dst gets every rank's tensor, stacked along a new dimension 0", (
                Param("tensor", "tensor", doc="Handle of this rank's tensor"),
                Param("dst", "int", 0, "Group rank that receives the result"),
                GROUP), engine=D.distributed_gather),
    Command("distributed_all_gather", "distributedAllGather", COLLECTIVES,
            "Every rank gets every rank's tensor, stacked along a new dimension 0", (
                Param("tensor", "tensor", doc="Handle of this rank's tensor"), GROUP), engine=D.distributed_all_gather),
    Command("distributed_scatter", "distributedScatter", COLLECTIVES,
            "src's tensor cut along dimension 0; rank i gets chunk i", (
                Param("tensor", "tensor", doc="Handle of the tensor (only src's data is sent)"),
                Param("src", "int", 0, "Group rank whose tensor is cut and sent"),
                GROUP), engine=D.distributed_scatter),
    _reduction("distributed_reduce_scatter", "distributedReduceScatter",
               "Elementwise reduction over a group; rank i gets chunk i of dimension 0", D.distributed_reduce_scatter),
    Command("distributed_all_to_all", "distributedAllToAll", COLLECTIVES,
            "Chunk j of dimension 0 goes to rank j; the result is the chunks received, in rank order", (
                Param("tensor", "tensor", doc="Handle of this rank's input tensor"),
                GROUP,
                Param("inputSplits", "ints", None, "Rows sent to each rank (sum = dimension 0); "
                      "equal chunks when not given", named_only=True),
                Param("outputSplits", "ints", None, "Rows received from each rank; exchanged when not given",
                      named_only=True),
                Param("async", "bool", 0, "Return a request at once; distributed_wait gives the result",
                      named_only=True, arg="nonblocking")), engine=D.distributed_all_to_all),
    Command("all_reduce", "allReduce", COLLECTIVES, "The extension's older all_reduce, on all processes", (
        Param("tensor", "tensor", doc="Handle of this rank's input tensor"),
        Param("operation", "text", "sum", "Reduction: sum mean max min product band bor bxor")), engine=D.all_reduce),
    Command("broadcast", "broadcast", COLLECTIVES, "The extension's older broadcast, on all processes", (
        Param("tensor", "tensor", doc="Handle of the tensor (only root's data is sent)"),
        Param("root", "int", 0, "Rank whose tensor is sent")), engine=D.broadcast),

    # ---- distributed: point-to-point ----
    *(Command(name, camel, POINT_TO_POINT, summary, (
        Param("tensor", "tensor", doc="Handle of the tensor to send"),
        Param("dst", "int", doc="Group rank to send to"), TAG, NAMED_GROUP), engine=engine)
      for name, camel, summary, engine in (
          ("distributed_send", "distributedSend", "Send a tensor to dst; returns when it is on its way",
           D.distributed_send),
          ("distributed_isend", "distributedIsend", "Start sending a tensor to dst; returns a request",
           D.distributed_isend))),
    *(Command(name, camel, POINT_TO_POINT, summary, (
        Param("shape", "expected_shape", "*", "Shape the message must have (* for any)",
              required_positionally=True),
        Param("src", "int", doc="Group rank to receive from; -1 for any source"), TAG,
        Param("dtype", "dtype", None, "dtype the message must have; any when not given", named_only=True),
        NAMED_GROUP), engine=engine)
      for name, camel, summary, engine in (
          ("distributed_recv", "distributedRecv", "Receive a tensor from src", D.distributed_recv),
          ("distributed_irecv", "distributedIrecv", "Start receiving a tensor from src; returns a request",
           D.distributed_irecv))),
    Command("distributed_wait", "distributedWait", POINT_TO_POINT,
            "Wait for a request; the received tensor, or send_completed", (REQUEST,), engine=D.distributed_wait),
    Command("distributed_test", "distributedTest", POINT_TO_POINT,
            "1 if a request is complete, else 0; never blocks", (REQUEST,), engine=D.distributed_test),

    # ---- distributed: groups ----
    Command("distributed_new_group", "distributedNewGroup", GROUPS,
            "Make a group of the listed world ranks (every process calls it)", (
                Param("name", "text", doc="Name of the new group"),
                Param("ranks", "ints", doc="World ranks, numbered in the order listed")),
            engine=D.distributed_new_group),
    Command("distributed_split_group", "distributedSplitGroup", GROUPS,
            "Split the world by color, as MPI_Comm_split (every process calls it)", (
                Param("name", "text", doc="Name of the new group"),
                Param("color", "int", doc="Processes of one color form one group; negative: none"),
                Param("key", "int", None, "Order within the group; the world rank when not given")),
            engine=D.distributed_split_group),
    Command("distributed_destroy_group", "distributedDestroyGroup", GROUPS, "Forget a group and free it",
            (Param("name", "text", doc="Name of the group"),), engine=D.distributed_destroy_group),

    # ---- tensor creation ----
    Command("tensor_create", "tensorCreate", CREATION, "A tensor from a Tcl list of numbers", (
        Param("data", "data", doc="Flat list, or nested lists for more dimensions"),
        Param("shape", "shape", None, "Dimensions; the data's own when not given"),
        DTYPE, DEVICE, REQUIRES_GRAD), engine=T.tensor_create, front="::tcltorch_mpi::tensor_create",
            prepare=_dtype_without_shape),
    _filled("zeros", "zeros", "A tensor of zeros", T.zeros),
    _filled("ones", "ones", "A tensor of ones", T.ones),
    _filled("empty", "empty", "A tensor whose values are not set", T.empty),
    Command("full", "full", CREATION, "A tensor filled with one value", (
        SHAPE, Param("value", "number", doc="Value of every element"), DTYPE, DEVICE), engine=T.full),
    Command("randn", "randn", CREATION, "Normally distributed random values", (SHAPE, DEVICE, DTYPE),
            engine=T.randn, aliases=("tensor_randn", "tensorRandn")),
    Command("arange", "arange", CREATION, "Values from start up to (not including) end by step", (
        Param("start", "number", 0, "First value"),
        Param("end", "number", doc="End of the range (not included)", required_positionally=True),
        Param("step", "number", 1, "Difference between values"),
        Param("dtype", "dtype", None, "Element type; int64 for integer bounds, else float32", named_only=True),
        Param("device", "device", "cpu", "Device: cpu, cuda or cuda:<index>", named_only=True)),
            engine=T.arange, prepare=_end_only, usage="end | start end ?step?"),
    Command("manual_seed", "manualSeed", CREATION, "Seed the random generator",
            (Param("seed", "int", doc="The seed (64-bit)"),), engine=T.manual_seed),

    # ---- tensor information and conversion ----
    Command("tensor_shape", "tensorShape", INFO, "The dimensions of a tensor", (TENSOR,), engine=T.tensor_shape),
    Command("tensor_dtype", "tensorDtype", INFO, "The element type of a tensor (Float32, Int64, ...)", (TENSOR,),
            engine=T.tensor_dtype),
    Command("tensor_device", "tensorDevice", INFO, "The device of a tensor", (TENSOR,), engine=T.tensor_device),
    Command("tensor_numel", "tensorNumel", INFO, "The number of elements of a tensor", (TENSOR,), torch=torch.numel),
    Command("tensor_to_list", "tensorToList", INFO, "The elements, flattened, as a Tcl list", (TENSOR,),
            engine=T.tensor_to_list, front="::tcltorch_mpi::tensor_to_list"),
    Command("tensor_print", "tensorPrint", INFO, "A readable multi-line rendering", (TENSOR,), engine=T.tensor_print),
    Command("tensor_reshape", "tensorReshape", INFO, "The same elements in another shape",
            (TENSOR, Param("shape", "ints", doc="New dimensions; one may be -1")), engine=T.tensor_reshape),
    Command("tensor_permute", "tensorPermute", INFO, "A view with the dimensions reordered",
            (TENSOR, Param("dims", "ints", doc="The new order of the dimensions")), engine=T.tensor_permute),
    Command("tensor_to", "tensorTo", INFO, "A copy on another device and/or of another dtype", (
        TENSOR, Param("device", "device", doc="Device: cpu, cuda or cuda:<index>"),
        Param("dtype", "dtype", None, "Element type; the tensor's own when not given")), engine=T.tensor_to),
    Command("tensor_free", "tensorFree", INFO, "Release tensor handles",
            (Param("tensor", "handles", doc="Handles to release", named=("-tensor", "-tensors"), rest=True,
                   arg="handles"),), engine=T.tensor_free),
    Command("tensor_count", "tensorCount", INFO, "The number of live tensor handles", engine=T.tensor_count),

    # ---- tensor math ----
    _binary("tensor_add", "tensorAdd", "Elementwise input + other (broadcasting)", torch.add),
    _binary("tensor_sub", "tensorSub", "Elementwise input - other (broadcasting)", torch.sub),
    _binary("tensor_mul", "tensorMul", "Elementwise input * other (broadcasting)", torch.mul),
    _binary("tensor_div", "tensorDiv", "Elementwise input / other (broadcasting; true division)", torch.div),
    Command("tensor_sum", "tensorSum", MATH, "The sum of all elements, as a 0-dimensional tensor", (TENSOR,),
            torch=torch.sum),
    Command("tensor_mean", "tensorMean", MATH, "The mean of all elements (floating dtypes)", (TENSOR,),
            engine=T.tensor_mean),
    Command("allclose", "allclose", MATH, "1 if |input - other| <= atol + rtol * |other| everywhere", (
        INPUT, OTHER, Param("rtol", "double", 1e-05, "Relative tolerance"),
        Param("atol", "double", 1e-08, "Absolute tolerance")), torch=torch.allclose),
    Command("matmul", "matmul", MATH, "Matrix product of input and other (batched, broadcasting)",
            (INPUT, OTHER), engine=T.matmul),

    # ---- tensor routing and indexing ----
    *(Command(name, camel, ROUTING, summary, (
        TENSOR, Param("dim", "int", None, "Dimension to reduce; all elements (flattened) when not given"),
        Param("keepdim", "bool", 0, "Keep the reduced dimension, with size 1")), engine=engine)
      for name, camel, summary, engine in (
          ("argmax", "argmax", "Index of the largest element, overall or along a dimension", T.argmax),
          ("argmin", "argmin", "Index of the smallest element, overall or along a dimension", T.argmin))),
    *(Command(name, camel, ROUTING, summary, (
        TENSOR, Param("dim", "int", -1, "Dimension to sort along; the last by default"),
        Param("descending", "bool", 0, "Largest first"),
        Param("stable", "bool", 0, "Keep equal elements in their original order")), engine=engine)
      for name, camel, summary, engine in (
          ("argsort", "argsort", "The indices that sort a tensor along a dimension", T.argsort),
          ("sort", "sort", "Sorted values and their original indices: a list of two handles", T.sort))),
    Command("topk", "topk", ROUTING, "The k largest (or smallest) values and their indices: a list of two handles", (
        TENSOR, Param("k", "int", doc="How many elements to take (0 .. size of dim)"),
        Param("dim", "int", -1, "Dimension to take them along; the last by default"),
        Param("largest", "bool", 1, "The k largest; 0: the k smallest"),
        Param("sorted", "bool", 1, "In order, largest first (smallest first when largest is 0)")), engine=T.topk),
    Command("bincount", "bincount", ROUTING, "How many times each value 0, 1, 2, ... occurs (or its summed weights)", (
        Param("tensor", "tensor", doc="Handle of a 1-dimensional tensor of non-negative integers",
              named=("-tensor", "-input")),
        Param("weights", "optional_tensor", None, "Handle of a tensor of one weight per element; "
              "counts when not given", named_only=True),
        Param("minlength", "int", 0, "Least length of the result", named_only=True)), engine=T.bincount),
    Command("nonzero", "nonzero", ROUTING, "The indices of the non-zero elements: an [n, ndim] Int64 tensor",
            (TENSOR,), torch=torch.nonzero),
    Command("index_select", "indexSelect", ROUTING, "The entries at the given indices along a dimension", (
        TENSOR, Param("dim", "int", doc="Dimension to index"),
        Param("index", "tensor", doc="Handle of a 1-dimensional Int64 or Int32 tensor of indices")),
            engine=T.index_select),
    Command("index_add", "indexAdd", ROUTING, "A copy of tensor with source's entries added at the given indices", (
        TENSOR, Param("dim", "int", doc="Dimension to index"),
        Param("index", "tensor", doc="Handle of a 1-dimensional Int64 or Int32 tensor of indices"),
        Param("source", "tensor", doc="Handle of the values to add: entry i goes to index i")), engine=T.index_add),
    Command("tensor_clone", "tensorClone", ROUTING, "A copy of a tensor, with its own memory", (TENSOR,),
            torch=torch.clone),
    Command("tensor_cat", "tensorCat", ROUTING, "Tensors joined along an existing dimension", (
        Param("tensors", "handles", doc="List of tensor handles to join, in order"),
        Param("dim", "int", doc="Dimension to join along")), engine=T.tensor_cat),

    # ---- runtime and help ----
    Command("cuda_is_available", "cudaIsAvailable", RUNTIME, "1 if this process sees a CUDA GPU",
            torch=torch.cuda.is_available),
    Command("cuda_device_count", "cudaDeviceCount", RUNTIME, "The number of GPUs this process sees",
            torch=torch.cuda.device_count),
    Command("help", "help", RUNTIME, "Every command by family, or one command's syntax and parameters",
            (Param("command", "text", None, "A command name (either spelling)"),), engine=I.help),
)
