"""What the command table's declarations share: the families (as torch::help and
docs/README.md group the commands) and the parameters many commands take."""

from .spec import Param

DISTRIBUTED = "Distributed: setup and queries"
COLLECTIVES = "Distributed: collectives"
POINT_TO_POINT = "Distributed: point-to-point"
GROUPS = "Distributed: process groups"
DATA_PARALLEL = "Distributed: data-parallel training"
CREATION = "Tensor creation"
INFO = "Tensor information and conversion"
ELEMENTWISE = "Elementwise math"
COMPARISON = "Comparison and logic"
REDUCTIONS = "Reductions and statistics"
SHAPE = "Shape, layout and indexing"
LINALG = "Linear algebra"
FFT = "FFT and windows"
RANDOM = "Random numbers"
ROUTING = "Tensor routing"
AUTOGRAD = "Autograd"
ACTIVATIONS = "Activations"
LOSSES = "Losses"
LAYERS = "Layers and models"
LAYER_OPS = "Layers: pooling, padding, resampling"
OPTIMIZERS = "Optimizers and schedulers"
RUNTIME = "Runtime and help"

TENSOR = Param("tensor", "tensor", doc="Handle of the input tensor", named=("-tensor", "-input"))
# -input first, where the extension's messages name it (Required parameters missing: -input).
INPUT_FIRST = Param("tensor", "tensor", doc="Handle of the input tensor", named=("-input", "-tensor"))
INPUT = Param("input", "tensor", doc="Handle of the first tensor", named=("-input", "-a"))
OTHER = Param("other", "tensor", doc="Handle of the second tensor", named=("-other", "-b"))
GROUP = Param("group", "group", "", "Process group name; empty means all processes")
NAMED_GROUP = Param("group", "group", "", "Process group name; empty means all processes", named_only=True)
DTYPE = Param("dtype", "dtype", "float32", "Element type")
DEVICE = Param("device", "device", "cpu", "Device: cpu, cuda or cuda:<index>")
REQUIRES_GRAD = Param("requires_grad", "bool", 0, "Whether autograd records operations on it",
                      named=("-requiresGrad", "-requires_grad"))
DIMENSIONS = Param("shape", "shape", doc="Dimensions, e.g. {2 3}")
OPERATION = Param("operation", "text", "sum", "Reduction: sum mean max min product band bor bxor",
                  named=("-operation", "-op"))
TAG = Param("tag", "int", 0, "Message tag (0 .. 2**31-1)")
REQUEST = Param("request", "request", doc="Handle of a request from isend, irecv or -async",
                named=("-handle", "-request"))
