"""The command table: every torch:: command, declared once.

A declaration names the command in both spellings (and any older ones), its family
and one-line summary, each parameter (see spec.Param: positional place, kind, default,
named spellings), and what it calls: an engine function (a method of a commands class,
taking the converted values in declaration order) or, for a command that is one torch
call, the torch function itself. The distributed commands are declared here, the
tensor commands by family in families/, and COMMANDS is all of them, in that order. The shim's parser,
the engine primitives, `torch::help` and docs/commands/*.md are all made from this
table; adding a command is adding a declaration (docs/adding-a-command.md).
"""

import torch

from . import families
from .distributed_commands import DistributedCommands as D
from .info_commands import InfoCommands as I
from .params import (COLLECTIVES, DATA_PARALLEL, DISTRIBUTED, GROUP, GROUPS, NAMED_GROUP, POINT_TO_POINT, REQUEST,
                     ROUTING, RUNTIME, TAG)
from .spec import Command, Param


PARAMETERS = Param("parameters", "handles", doc="List of the model's tensor handles (e.g. from layer_parameters)",
                   named=("-parameters", "-params"))
BUCKET = Param("bucketMB", "double", 25, "Most MiB per MPI call: the tensors are packed into buckets of this size",
               named_only=True, arg="bucket_mb")


def _reduction(name, camel, summary, engine):
    return Command(name, camel, COLLECTIVES, summary, (
        Param("tensor", "tensor", doc="Handle of this rank's input tensor"),
        Param("operation", "text", "sum", "Reduction: sum mean max min product band bor bxor",
              named=("-operation", "-op") if name == "distributed_all_reduce" else ("-op", "-operation")),
        GROUP), engine=engine)


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

    # ---- distributed: data-parallel training ----
    Command("distributed_broadcast_parameters", "distributedBroadcastParameters", DATA_PARALLEL,
            "Every rank's parameters take root's values, in place, so that ranks start alike", (
                PARAMETERS, Param("root", "int", 0, "Group rank whose values are sent", named=("-root", "-src")),
                GROUP, BUCKET), engine=D.distributed_broadcast_parameters),
    Command("distributed_all_reduce_gradients", "distributedAllReduceGradients", DATA_PARALLEL,
            "Each parameter's gradient becomes its reduction over the group (the mean by default), in place", (
                PARAMETERS, Param("operation", "text", "mean", "Reduction: mean sum max min product",
                                  named=("-operation", "-op")),
                GROUP, BUCKET), engine=D.distributed_all_reduce_gradients),

    *families.COMMANDS,

    # ---- runtime and help ----
    Command("cuda_is_available", "cudaIsAvailable", RUNTIME, "1 if this process sees a CUDA GPU",
            torch=torch.cuda.is_available),
    Command("cuda_device_count", "cudaDeviceCount", RUNTIME, "The number of GPUs this process sees",
            torch=torch.cuda.device_count),
    Command("help", "help", RUNTIME, "Every command by family, or one command's syntax and parameters",
            (Param("command", "text", None, "A command name (either spelling)"),), engine=I.help),
)

# The commands whose messages are the spec's own (docs/; Invalid tensor name: x, ...):
# the distributed, data-parallel, routing and runtime commands, which the extension
# does not have or only simulates, and the tensor core that the spec names. Every
# other command is one of the extension's, and answers the errors its scripts compare
# in its words (errors.CommandError.extension).
SPEC_COMMANDS = frozenset(
    [c.name for c in COMMANDS if c.family in (DISTRIBUTED, COLLECTIVES, POINT_TO_POINT, GROUPS, DATA_PARALLEL,
                                               ROUTING, RUNTIME)]
    + ["allclose", "arange", "empty", "full", "manual_seed", "ones", "randn", "tensor_add", "tensor_count",
       "tensor_create", "tensor_device", "tensor_div", "tensor_dtype", "tensor_free", "tensor_mean", "tensor_mul",
       "tensor_numel", "tensor_permute", "tensor_print", "tensor_reshape", "tensor_shape", "tensor_sub",
       "tensor_sum", "tensor_to", "tensor_to_list", "zeros"])
