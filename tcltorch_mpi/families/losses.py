"""Losses: how far a prediction is from its target, as a tensor autograd can differentiate."""

import torch
import torch.nn.functional as F

from ..params import LOSSES
from ..spec import Command, Param
from ..tensor_commands import torch_call

REDUCTIONS = ("none", "mean", "sum")
# The extension takes a positional reduction as 0/1/2 (none/mean/sum) in most losses,
# and as a name by option; both are accepted in both places here.
CODES = {"0": "none", "1": "mean", "2": "sum"}
# triplet_margin_with_distance_loss's positional distance: 0 cosine, 1 pairwise, else euclidean.
DISTANCES = ("euclidean", "cosine", "pairwise")


def _t(name, doc):
    return Param(name, "tensor", doc=doc)


def _reduction(torch_keyword=True):
    return Param("reduction", "text", "mean", "How the elementwise losses are combined",
                 keyword="reduction" if torch_keyword else "", choices=REDUCTIONS)


def _codes(index, table=CODES):
    """prepare: the positional word at ``index`` from a number code to its name."""
    def prepare(words):
        if len(words) > index and words[index] in table:
            words = list(words)
            words[index] = table[words[index]]
        return words
    return prepare


def _distance_codes(words):
    if len(words) > 3 and words[3].lstrip("-").isdigit():
        words = list(words)
        words[3] = {"0": "cosine", "1": "pairwise"}.get(words[3], "euclidean")
    return _codes(5)(words)


INPUT = _t("input", "Handle of the prediction")
TARGET = _t("target", "Handle of the target")
# The same, whose unknown handle is said naming its role, where the extension's losses
# say so (focal, KL divergence, Gaussian and Poisson NLL, multi-margin, smooth L1, soft margin).
INPUT_ROLE, TARGET_ROLE = INPUT.naming_role(), TARGET.naming_role()
WEIGHT = Param("weight", "text", "none", "Handle of a per-class weight tensor; none: all 1")


def _triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2.0, reduction="mean"):
    # torch's own op, as the extension calls it: F.triplet_margin_loss refuses margin 0.
    return torch.triplet_margin_loss(anchor, positive, negative, margin, p, 1e-6, False,
                                     REDUCTIONS.index(reduction))


def _reduce(loss, reduction):
    return loss if reduction == "none" else loss.mean() if reduction == "mean" else loss.sum()


class LossesCommands:
    def weighted(self, name, function, input, target, weight, reduction):
        """cross_entropy_loss, nll_loss and bce_loss: name and torch function fixed in
        the declaration (Command.fixed)."""
        w = None if weight in ("none", "") else self.tensor(weight)
        return torch_call(name, function, input, target, weight=w, reduction=reduction)

    def focal_loss(self, input, target, alpha, gamma, reduction):
        # The extension's formula: softmax over the last dim, p of the target class,
        # alpha * (1 - p) ** gamma * -log(p), p clamped to 1e-8 .. 1.
        def compute():
            p = torch.softmax(input, -1).gather(-1, target.long().unsqueeze(-1)).squeeze(-1)
            return _reduce(alpha * (1.0 - p).pow(gamma) * -torch.log(p.clamp(1e-8, 1.0)), reduction)
        return torch_call("focal_loss", compute)

    def _overlap(self, name, input, target, score, reduction):
        # dice and tversky (the extension's formulas): sigmoid of the input against the
        # target over all elements, one number; reduction none keeps it as a 1-element tensor.
        def compute():
            p = torch.sigmoid(input).reshape(-1)
            t = target.reshape(-1).to(p.dtype if p.is_floating_point() else torch.float32)
            loss = 1.0 - score(p, t)
            return loss.unsqueeze(0) if reduction == "none" else loss
        return torch_call(name, compute)

    def dice_loss(self, input, target, smooth, reduction):
        return self._overlap("dice_loss", input, target, lambda p, t: (
            (2.0 * (p * t).sum() + smooth) / (p.sum() + t.sum() + smooth)), reduction)

    def tversky_loss(self, input, target, alpha, beta, smooth, reduction):
        def score(p, t):
            tp = (p * t).sum()
            return (tp + smooth) / (tp + alpha * (p * (1 - t)).sum() + beta * ((1 - p) * t).sum() + smooth)
        return self._overlap("tversky_loss", input, target, score, reduction)

    def triplet_margin_with_distance_loss(self, anchor, positive, negative, distance_function, margin,
                                          reduction):
        def distance(a, b):
            if distance_function == "cosine":
                return 1.0 - F.cosine_similarity(a, b, dim=-1)
            if distance_function == "pairwise":
                return F.pairwise_distance(a, b, 2.0)
            return torch.linalg.vector_norm(a - b, 2, dim=-1)
        return torch_call("triplet_margin_with_distance_loss", lambda: _reduce(
            torch.relu(distance(anchor, positive) - distance(anchor, negative) + margin), reduction))


def _loss(name, camel, summary, params, function, reduction_at):
    """A torch.nn.functional loss taking (params..., reduction): a positional reduction
    code at ``reduction_at``."""
    return Command(name, camel, LOSSES, summary, (*params, _reduction()), torch=function,
                   prepare=_codes(reduction_at))


def _engine(name, camel, summary, params, engine, prepare, fixed=()):
    return Command(name, camel, LOSSES, summary, params, engine=engine, prepare=prepare, fixed=fixed)


def _num(name, default, doc, keyword="", kind="double"):
    return Param(name, kind, default, doc, keyword=keyword)


MARGIN0 = _num("margin", 0.0, "Margin", "margin")
MARGIN1 = _num("margin", 1.0, "Margin", "margin")
PAIR = (_t("input1", "Handle of the first input"), _t("input2", "Handle of the second input"),
        _t("target", "Handle of the target: 1 or -1 per pair"))
TRIPLET = (_t("anchor", "Handle of the anchors"), _t("positive", "Handle of the positive examples"),
           _t("negative", "Handle of the negative examples"))
ENGINE_REDUCTION = _reduction(torch_keyword=False)

COMMANDS = (
    _loss("mse_loss", "mseLoss", "Mean squared error (input - target) ** 2", (INPUT, TARGET), F.mse_loss, 2),
    _loss("l1_loss", "l1Loss", "Mean absolute error |input - target|", (INPUT, TARGET), F.l1_loss, 2),
    Command("smooth_l1_loss", "smoothL1Loss", LOSSES, "Smooth L1: squared below beta, absolute above",
            (INPUT_ROLE, TARGET, _reduction(), _num("beta", 1.0, "Where it turns from squared to absolute", "beta")),
            torch=F.smooth_l1_loss, prepare=_codes(2)),
    Command("huber_loss", "huberLoss", LOSSES, "Huber loss: squared below delta, linear above",
            (INPUT, TARGET, _reduction(), _num("delta", 1.0, "Where it turns from squared to linear", "delta")),
            torch=F.huber_loss, prepare=_codes(2)),
    Command("kl_div_loss", "klDivLoss", LOSSES, "Kullback-Leibler divergence of target from input (log-probabilities)",
            (INPUT_ROLE, TARGET_ROLE, _reduction(),
             Param("logTarget", "bool", 0, "Whether the target is given as log-probabilities",
                   named=("-logTarget", "-log_target"), keyword="log_target")),
            torch=F.kl_div, prepare=_codes(2)),
    Command("cosine_embedding_loss", "cosineEmbeddingLoss", LOSSES,
            "Cosine embedding loss of input pairs labelled 1 (similar) or -1",
            (*PAIR, MARGIN0, _reduction()), torch=F.cosine_embedding_loss, prepare=_codes(4)),
    Command("margin_ranking_loss", "marginRankingLoss", LOSSES,
            "max(0, -target * (input1 - input2) + margin)",
            (*PAIR, MARGIN0, _reduction()), torch=F.margin_ranking_loss, prepare=_codes(4)),
    Command("triplet_margin_loss", "tripletMarginLoss", LOSSES,
            "max(d(anchor, positive) - d(anchor, negative) + margin, 0), p-norm distance",
            (*TRIPLET, MARGIN1, _num("p", 2.0, "Norm degree of the distance", "p"), _reduction()),
            torch=_triplet_margin_loss, prepare=_codes(5)),
    Command("hinge_embedding_loss", "hingeEmbeddingLoss", LOSSES, "Hinge embedding loss (target 1 or -1)",
            (INPUT, TARGET, MARGIN1, _reduction()), torch=F.hinge_embedding_loss, prepare=_codes(3)),
    Command("poisson_nll_loss", "poissonNllLoss", LOSSES, "Poisson negative log likelihood",
            (INPUT_ROLE, TARGET,
             Param("logInput", "bool", 1, "Whether the input is the log of the rate",
                   named=("-logInput", "-log_input"), keyword="log_input"),
             Param("full", "bool", 0, "Whether to add the Stirling term", keyword="full"), _reduction()),
            torch=F.poisson_nll_loss, prepare=_codes(4)),
    Command("gaussian_nll_loss", "gaussianNllLoss", LOSSES, "Gaussian negative log likelihood",
            (INPUT_ROLE, TARGET_ROLE, _t("var", "Handle of the variances").naming_role(),
             Param("full", "bool", 0, "Whether to add the constant 0.5 * log(2 pi)", keyword="full"),
             _num("eps", 1e-6, "Lower clamp of var", "eps"), _reduction()),
            torch=F.gaussian_nll_loss, prepare=_codes(5)),
    Command("multi_margin_loss", "multiMarginLoss", LOSSES, "Multi-class hinge loss",
            (INPUT_ROLE, TARGET_ROLE, Param("p", "int", 1, "1 or 2", keyword="p"), MARGIN1, _reduction()),
            torch=F.multi_margin_loss, prepare=_codes(4)),
    _loss("multilabel_margin_loss", "multilabelMarginLoss", "Multi-label hinge loss (target: class indices, -1 ends them)",
          (INPUT, TARGET), F.multilabel_margin_loss, 2),
    _loss("multilabel_soft_margin_loss", "multilabelSoftMarginLoss", "Multi-label one-versus-all logistic loss",
          (INPUT, TARGET), F.multilabel_soft_margin_loss, 2),
    _loss("soft_margin_loss", "softMarginLoss", "Two-class logistic loss log(1 + exp(-target * input))",
          (INPUT_ROLE, TARGET), F.soft_margin_loss, 2),
    *(_engine(name, camel, summary, (INPUT, TARGET, WEIGHT, ENGINE_REDUCTION), LossesCommands.weighted,
              _codes(3), fixed=(name, function))
      for name, camel, summary, function in (
          ("cross_entropy_loss", "crossEntropyLoss",
           "Cross entropy of class scores (logits) against class indices or probabilities", F.cross_entropy),
          ("nll_loss", "nllLoss", "Negative log likelihood of log-probabilities against class indices",
           F.nll_loss),
          ("bce_loss", "bceLoss", "Binary cross entropy of probabilities against targets in 0 .. 1",
           F.binary_cross_entropy))),
    _engine("focal_loss", "focalLoss", "Focal loss alpha * (1 - p) ** gamma * -log(p) of softmax class scores",
            (INPUT_ROLE, TARGET_ROLE, _num("alpha", 1.0, "Weight of the loss"),
             _num("gamma", 2.0, "Focusing exponent"), ENGINE_REDUCTION), LossesCommands.focal_loss, _codes(4)),
    _engine("dice_loss", "diceLoss", "1 - Dice coefficient of sigmoid(input) and target",
            (INPUT, TARGET, _num("smooth", 1.0, "Added to numerator and denominator"), ENGINE_REDUCTION),
            LossesCommands.dice_loss, _codes(3)),
    _engine("tversky_loss", "tverskyLoss", "1 - Tversky index of sigmoid(input) and target",
            (INPUT, TARGET, _num("alpha", 0.7, "Weight of false positives"),
             _num("beta", 0.3, "Weight of false negatives"),
             _num("smooth", 1.0, "Added to numerator and denominator"), ENGINE_REDUCTION),
            LossesCommands.tversky_loss, _codes(5)),
    _engine("triplet_margin_with_distance_loss", "tripletMarginWithDistanceLoss",
            "max(d(anchor, positive) - d(anchor, negative) + margin, 0) with a chosen distance",
            (*TRIPLET, Param("distanceFunction", "text", "euclidean", "euclidean, cosine or pairwise",
                             named=("-distanceFunction", "-distance_function"), choices=DISTANCES),
             _num("margin", 1.0, "Margin"), ENGINE_REDUCTION),
            LossesCommands.triplet_margin_with_distance_loss, _distance_codes),
)
