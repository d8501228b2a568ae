"""Optimizers, learning-rate schedulers and the gradient scaler: torch.optim's classes,
torch.optim.lr_scheduler's and torch.amp.GradScaler behind handles. LAMB and NovoGrad,
which torch lacks, are torch.optim.Optimizer subclasses here; schedules torch has no class
for (warmup, inverse square root, Noam) are LambdaLR with a fixed formula."""

import math
import warnings
from dataclasses import replace
from tkinter import TclError

import torch
from torch.optim import lr_scheduler

from .. import dtypes
from ..errors import CommandError, first_line
from ..params import OPTIMIZERS
from ..spec import REQUIRED, Command, Param


# ---- the optimizers torch lacks ----------------------------------------------------

class _PerTensor(torch.optim.Optimizer):
    """The step of torch's own optimizers: the closure (when given), then each
    parameter that has a (dense) gradient updated by ``_update``."""

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if p.grad.is_sparse:
                    raise RuntimeError(f"{type(self).__name__} does not support sparse gradients")
                self._update(p, p.grad, group, self.state[p])
        return loss


class Lamb(_PerTensor):
    """LAMB (You et al., 2019): Adam's bias-corrected update plus decoupled weight decay,
    scaled per tensor by the trust ratio ||p|| / ||update|| (1 where either norm is 0)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-6, weight_decay=0.01):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay))

    def _update(self, p, grad, group, state):
        beta1, beta2 = group["betas"]
        if not state:
            state.update(step=0, exp_avg=torch.zeros_like(p), exp_avg_sq=torch.zeros_like(p))
        state["step"] += 1
        t, m, v = state["step"], state["exp_avg"], state["exp_avg_sq"]
        m.mul_(beta1).add_(grad, alpha=1 - beta1)
        v.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        update = (m / (1 - beta1 ** t)) / ((v / (1 - beta2 ** t)).sqrt() + group["eps"])
        if group["weight_decay"]:
            update.add_(p, alpha=group["weight_decay"])
        weight_norm, update_norm = p.norm(), update.norm()
        trust = torch.where((weight_norm > 0) & (update_norm > 0), weight_norm / update_norm,
                            torch.ones_like(weight_norm))
        p.sub_(update * (trust * group["lr"]))


class NovoGrad(_PerTensor):
    """NovoGrad (Ginsburg et al., 2019), as NVIDIA NeMo computes it: a second moment per
    tensor (the squared gradient norm, its first value taken as is), the gradient divided
    by its root plus weight decay, optionally times (1 - beta1), accumulated as momentum."""

    def __init__(self, params, lr=0.01, betas=(0.95, 0.98), eps=1e-8, weight_decay=0.0, grad_averaging=False):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      grad_averaging=grad_averaging))

    def _update(self, p, grad, group, state):
        beta1, beta2 = group["betas"]
        norm = grad.pow(2).sum()
        if not state:
            state.update(step=0, exp_avg=torch.zeros_like(p), exp_avg_sq=norm.clone())
        else:
            state["exp_avg_sq"].mul_(beta2).add_(norm, alpha=1 - beta2)
        state["step"] += 1
        direction = grad / (state["exp_avg_sq"].sqrt() + group["eps"])
        if group["weight_decay"]:
            direction.add_(p, alpha=group["weight_decay"])
        if group["grad_averaging"]:
            direction.mul_(1 - beta1)
        state["exp_avg"].mul_(beta1).add_(direction)
        p.sub_(state["exp_avg"], alpha=group["lr"])


# ---- schedules torch has no class for: LambdaLR factors of the step number ----------

def _linear_warmup(warmup, total):
    def factor(step):
        if step < warmup:
            return step / max(1, warmup)
        return max(0.0, (total - step) / max(1, total - warmup))
    return factor


def _constant_warmup(warmup):
    return lambda step: step / max(1, warmup) if step < warmup else 1.0


def _inverse_sqrt(warmup, decay):
    return lambda step: decay * (step / warmup if step < warmup else math.sqrt(warmup / step))


def _noam(model_size, warmup):
    def factor(step):
        step = max(step, 1)
        return model_size ** -0.5 * min(step ** -0.5, step * warmup ** -1.5)
    return factor


# ---- checks, in the extension's words where its tests match them --------------------

def _invalid(detail):
    return CommandError(f"Required parameters missing or invalid: {detail}")


def _check(ok, name, what, value):
    if not ok:
        raise _invalid(f"{name} must be {what}, got {value}")


def _positive(**values):
    for name, value in values.items():
        _check(value > 0, name, "positive", value)


def _non_negative(**values):
    for name, value in values.items():
        _check(value >= 0, name, ">= 0", value)


def _unit(**values):
    for name, value in values.items():
        _check(0 <= value < 1, name, "in [0, 1)", value)


def _built(command, build, *args, **kwargs):
    """A torch object made from checked values; what torch still refuses is the user's."""
    try:
        return build(*args, **kwargs)
    except (ValueError, TypeError, RuntimeError, KeyError, AssertionError) as exc:
        raise CommandError(f"{command}: {first_line(exc)}") from None


def _resume(optimizer, last_epoch):
    """A scheduler made with last_epoch >= 0 resumes: torch wants each group's initial_lr."""
    _check(last_epoch >= -1, "lastEpoch", ">= -1", last_epoch)
    if last_epoch != -1:
        for group in optimizer.param_groups:
            group.setdefault("initial_lr", group["lr"])


def _cycles_momentum(optimizer):
    # CyclicLR and OneCycleLR cycle momentum (or beta1) by default; torch refuses that for
    # an optimizer with neither, so there the learning rate alone cycles.
    return "momentum" in optimizer.defaults or "betas" in optimizer.defaults


class OptimizersCommands:
    # ---- helpers ----

    def _opt_parameters(self, names):
        """Tensor handles (a layer handle stands for all its parameters) as tensors."""
        tensors = []
        for name in names:
            tensor = self.tensors.find(name)
            if tensor is not None:
                tensors.append(tensor)
                continue
            layer = self.layers.find(name)
            if layer is None:
                raise CommandError(f"Invalid parameter tensor: {name}")
            tensors.extend(layer.parameters())
        if not tensors:
            raise _invalid("parameters must name at least one tensor")
        for tensor in tensors:
            if not (tensor.dtype.is_floating_point or tensor.dtype.is_complex):
                raise CommandError(f"Invalid parameter tensor: only floating-point tensors can be optimized, "
                                   f"got {dtypes.DISPLAY[tensor.dtype]}")
        return tensors

    def _opt_pair(self, name, text):
        try:
            items = [self.float(item) for item in self.list(text)]
        except (ValueError, TclError):
            raise _invalid(f'{name} must be a list of two numbers, got "{text}"') from None
        if len(items) != 2:
            raise _invalid(f'{name} must be a list of two numbers, got "{text}"')
        return tuple(items)

    def _opt_betas(self, betas, beta1, beta2, default):
        pair = self._opt_pair("betas", betas) if betas is not None else default
        pair = (pair[0] if beta1 is None else beta1, pair[1] if beta2 is None else beta2)
        _unit(beta1=pair[0], beta2=pair[1])
        return pair

    def _opt_optimizer(self, command, cls, parameters, **options):
        return _built(command, cls, self._opt_parameters(parameters), **options)

    # ---- optimizers ----

    def optimizer_sgd(self, parameters, lr, momentum, dampening, weight_decay, nesterov):
        _positive(lr=lr)
        _non_negative(momentum=momentum, dampening=dampening, weightDecay=weight_decay)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise _invalid(f"nesterov needs momentum > 0 and dampening 0, got momentum {momentum} "
                           f"and dampening {dampening}")
        return self._opt_optimizer("optimizer_sgd", torch.optim.SGD, parameters, lr=lr, momentum=momentum,
                               dampening=dampening, weight_decay=weight_decay, nesterov=nesterov)

    def optimizer_momentum_sgd(self, parameters, lr, momentum, weight_decay):
        _positive(lr=lr)
        _non_negative(momentum=momentum, weightDecay=weight_decay)
        return self._opt_optimizer("optimizer_momentum_sgd", torch.optim.SGD, parameters, lr=lr, momentum=momentum,
                               weight_decay=weight_decay)

    def optimizer_adam(self, parameters, lr, beta1, beta2, weight_decay):
        _positive(lr=lr)
        _unit(beta1=beta1, beta2=beta2)
        _non_negative(weightDecay=weight_decay)
        return self._opt_optimizer("optimizer_adam", torch.optim.Adam, parameters, lr=lr, betas=(beta1, beta2),
                               weight_decay=weight_decay)

    def optimizer_adamw(self, parameters, lr, weight_decay, beta1, beta2, eps, amsgrad):
        _positive(lr=lr, eps=eps)
        _unit(beta1=beta1, beta2=beta2)
        _non_negative(weightDecay=weight_decay)
        return self._opt_optimizer("optimizer_adamw", torch.optim.AdamW, parameters, lr=lr, betas=(beta1, beta2),
                               eps=eps, weight_decay=weight_decay, amsgrad=amsgrad)

    def optimizer_rmsprop(self, parameters, lr, alpha, eps):
        _positive(lr=lr, alpha=alpha, eps=eps)
        return self._opt_optimizer("optimizer_rmsprop", torch.optim.RMSprop, parameters, lr=lr, alpha=alpha, eps=eps)

    def optimizer_adagrad(self, parameters, lr, eps):
        _positive(lr=lr, eps=eps)
        return self._opt_optimizer("optimizer_adagrad", torch.optim.Adagrad, parameters, lr=lr, eps=eps)

    def optimizer_lbfgs(self, parameters, lr, max_iter, max_eval, tolerance_grad, tolerance_change):
        _positive(lr=lr, maxIter=max_iter, maxEval=max_eval, toleranceGrad=tolerance_grad,
                  toleranceChange=tolerance_change)
        return self._opt_optimizer("optimizer_lbfgs", torch.optim.LBFGS, parameters, lr=lr, max_iter=max_iter,
                               max_eval=max_eval, tolerance_grad=tolerance_grad, tolerance_change=tolerance_change)

    def optimizer_rprop(self, parameters, lr, etas, step_sizes):
        _positive(lr=lr)
        etas, step_sizes = self._opt_pair("etas", etas), self._opt_pair("stepSizes", step_sizes)
        if not (0 < etas[0] < 1 < etas[1]):
            raise _invalid(f"etas must be {{etaminus etaplus}} with 0 < etaminus < 1 < etaplus, got {etas}")
        if not (0 < step_sizes[0] < step_sizes[1]):
            raise _invalid(f"stepSizes must be {{min max}} with 0 < min < max, got {step_sizes}")
        return self._opt_optimizer("optimizer_rprop", torch.optim.Rprop, parameters, lr=lr, etas=etas,
                               step_sizes=step_sizes)

    def optimizer_adamax(self, parameters, lr, betas, eps, weight_decay, beta1, beta2):
        _positive(lr=lr, eps=eps)
        _non_negative(weightDecay=weight_decay)
        return self._opt_optimizer("optimizer_adamax", torch.optim.Adamax, parameters, lr=lr,
                               betas=self._opt_betas(betas, beta1, beta2, (0.9, 0.999)), eps=eps,
                               weight_decay=weight_decay)

    def optimizer_sparse_adam(self, parameters, lr, beta1, beta2, eps, weight_decay):
        _positive(lr=lr, eps=eps)
        _unit(beta1=beta1, beta2=beta2)
        _non_negative(weightDecay=weight_decay)
        if weight_decay:
            # torch's SparseAdam has none: decaying every weight would make the update dense.
            raise CommandError(f"optimizer_sparse_adam: SparseAdam has no weight decay, got weightDecay "
                               f"{weight_decay}; use torch::optimizer_adam or torch::optimizer_adamw")
        return self._opt_optimizer("optimizer_sparse_adam", torch.optim.SparseAdam, parameters, lr=lr,
                               betas=(beta1, beta2), eps=eps)

    def optimizer_nadam(self, parameters, lr, betas, eps, weight_decay, momentum_decay, beta1, beta2):
        _positive(lr=lr, eps=eps)
        _non_negative(weightDecay=weight_decay, momentumDecay=momentum_decay)
        return self._opt_optimizer("optimizer_nadam", torch.optim.NAdam, parameters, lr=lr,
                               betas=self._opt_betas(betas, beta1, beta2, (0.9, 0.999)), eps=eps,
                               weight_decay=weight_decay, momentum_decay=momentum_decay)

    def optimizer_radam(self, parameters, lr, betas, eps, weight_decay, beta1, beta2):
        _positive(lr=lr, eps=eps)
        _non_negative(weightDecay=weight_decay)
        return self._opt_optimizer("optimizer_radam", torch.optim.RAdam, parameters, lr=lr,
                               betas=self._opt_betas(betas, beta1, beta2, (0.9, 0.999)), eps=eps,
                               weight_decay=weight_decay)

    def optimizer_adafactor(self, parameters, lr, eps2, clip_threshold, decay_rate, beta1, weight_decay):
        if lr <= 0:
            raise CommandError(f"Invalid learning rate: {lr}")  # the extension's (and libtorch's) words
        _positive(eps2=eps2)
        _check(clip_threshold >= 1, "clipThreshold", ">= 1", clip_threshold)
        _non_negative(weightDecay=weight_decay)
        if beta1 is not None and beta1 >= 0:
            # The factored second moment is Adafactor's point; torch's keeps no first moment.
            raise CommandError(f"optimizer_adafactor: torch's Adafactor keeps no first moment (beta1), "
                               f"got beta1 {beta1}; leave it out (or -1)")
        decay = -0.8 if decay_rate is None or decay_rate == -1 else decay_rate
        _check(decay <= 0, "decayRate", "<= 0 (the exponent of the second moment's decay)", decay)
        # eps2 is the paper's epsilon1, the floor of the squared-gradient estimate; torch's eps[0] is
        # the floor's square root (1e-30 as torch's eps[0] would underflow to 0: NaN for zero gradients).
        return self._opt_optimizer("optimizer_adafactor", torch.optim.Adafactor, parameters, lr=lr, beta2_decay=decay,
                               eps=(math.sqrt(eps2), 1e-3), d=clip_threshold, weight_decay=weight_decay)

    def optimizer_lamb(self, parameters, lr, betas, eps, weight_decay, beta1, beta2):
        _positive(lr=lr, eps=eps)
        _non_negative(weightDecay=weight_decay)
        return self._opt_optimizer("optimizer_lamb", Lamb, parameters, lr=lr,
                               betas=self._opt_betas(betas, beta1, beta2, (0.9, 0.999)), eps=eps,
                               weight_decay=weight_decay)

    def optimizer_novograd(self, parameters, lr, betas, eps, weight_decay, grad_averaging, beta1, beta2):
        _positive(lr=lr, eps=eps)
        _non_negative(weightDecay=weight_decay)
        return self._opt_optimizer("optimizer_novograd", NovoGrad, parameters, lr=lr,
                               betas=self._opt_betas(betas, beta1, beta2, (0.95, 0.98)), eps=eps,
                               weight_decay=weight_decay, grad_averaging=grad_averaging)

    def optimizer_step(self, optimizer):
        if isinstance(optimizer, torch.optim.LBFGS):
            raise CommandError("optimizer_step: LBFGS needs a closure that recomputes the loss, which a "
                               "Tcl script cannot hand it; use another optimizer")
        _built("optimizer_step", optimizer.step)
        return "OK"

    def optimizer_zero_grad(self, optimizer, set_to_none):
        optimizer.zero_grad(set_to_none=set_to_none)
        return "OK"

    def get_lr(self, optimizer):
        return float(optimizer.param_groups[0]["lr"])

    # ---- schedulers ----

    def _opt_scheduler(self, command, build, prefix=None, **options):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch's advice on call order, meant for Python code
            scheduler = _built(command, build, **options)
        return self.schedulers.add(scheduler, prefix) if prefix else scheduler

    def lr_scheduler_step(self, optimizer, step_size, gamma):
        _positive(stepSize=step_size, gamma=gamma)
        return self._opt_scheduler("lr_scheduler_step", lr_scheduler.StepLR, "step_scheduler", optimizer=optimizer,
                               step_size=step_size, gamma=gamma)

    def lr_scheduler_multi_step(self, optimizer, milestones, gamma):
        if not milestones:
            raise _invalid("milestones must be a list of one or more epochs")
        _non_negative(**{"a milestone": min(milestones)})
        _positive(gamma=gamma)
        return self._opt_scheduler("lr_scheduler_multi_step", lr_scheduler.MultiStepLR, optimizer=optimizer,
                               milestones=milestones, gamma=gamma)

    # A function several commands share takes the command's name first: a declaration
    # fixes it (Command.fixed); a command that also fixes a value (or checks one) calls it.

    def opt_exponential(self, command, optimizer, gamma):
        """lr_scheduler_exponential (and lr_scheduler_exponential_decay, after its check)."""
        _positive(gamma=gamma)
        return self._opt_scheduler(command, lr_scheduler.ExponentialLR, optimizer=optimizer, gamma=gamma)

    def lr_scheduler_exponential_decay(self, optimizer, gamma):
        _check(0 < gamma <= 1, "gamma", "in (0, 1] (a decay)", gamma)  # the extension's rule
        return self.opt_exponential("lr_scheduler_exponential_decay", optimizer, gamma)

    def opt_cosine(self, command, optimizer, t_max, eta_min):
        """lr_scheduler_cosine and lr_scheduler_cosine_annealing."""
        _positive(tMax=t_max)
        _non_negative(etaMin=eta_min)
        return self._opt_scheduler(command, lr_scheduler.CosineAnnealingLR, optimizer=optimizer, T_max=t_max,
                               eta_min=eta_min)

    def lr_scheduler_cosine_annealing_warm_restarts(self, optimizer, t0, t_mult, eta_min):
        _positive(t0=t0)
        _check(t_mult >= 1, "tMult", ">= 1", t_mult)
        _non_negative(etaMin=eta_min)
        return self._opt_scheduler("lr_scheduler_cosine_annealing_warm_restarts", lr_scheduler.CosineAnnealingWarmRestarts,
                               optimizer=optimizer, T_0=t0, T_mult=t_mult, eta_min=eta_min)

    def lr_scheduler_multiplicative(self, optimizer, lr_lambda):
        _positive(lrLambda=lr_lambda)
        return self._opt_scheduler("lr_scheduler_multiplicative", lr_scheduler.MultiplicativeLR, optimizer=optimizer,
                               lr_lambda=lambda epoch: lr_lambda)

    def lr_scheduler_lambda(self, optimizer, multiplier):
        # The extension's "lambda" is a number: the factor multiplier ** epoch.
        _non_negative(multiplier=multiplier)
        return self._opt_scheduler("lr_scheduler_lambda", lr_scheduler.LambdaLR, "lambda_scheduler",
                               optimizer=optimizer, lr_lambda=lambda epoch: multiplier ** epoch)

    def lr_scheduler_polynomial(self, optimizer, total_iters, power, last_epoch):
        _positive(totalIters=total_iters)
        _non_negative(power=power)
        _resume(optimizer, last_epoch)
        return self._opt_scheduler("lr_scheduler_polynomial", lr_scheduler.PolynomialLR, optimizer=optimizer,
                               total_iters=total_iters, power=power, last_epoch=last_epoch)

    def lr_scheduler_linear_with_warmup(self, optimizer, num_warmup_steps, num_training_steps, last_epoch):
        _non_negative(numWarmupSteps=num_warmup_steps)
        _positive(numTrainingSteps=num_training_steps)
        _check(num_warmup_steps <= num_training_steps, "numWarmupSteps", f"<= numTrainingSteps "
               f"({num_training_steps})", num_warmup_steps)
        _resume(optimizer, last_epoch)
        return self._opt_scheduler("lr_scheduler_linear_with_warmup", lr_scheduler.LambdaLR, "linear_warmup_scheduler",
                               optimizer=optimizer, lr_lambda=_linear_warmup(num_warmup_steps, num_training_steps),
                               last_epoch=last_epoch)

    def lr_scheduler_constant_with_warmup(self, optimizer, num_warmup_steps, last_epoch):
        _non_negative(numWarmupSteps=num_warmup_steps)
        _resume(optimizer, last_epoch)
        return self._opt_scheduler("lr_scheduler_constant_with_warmup", lr_scheduler.LambdaLR,
                               "constant_warmup_scheduler", optimizer=optimizer,
                               lr_lambda=_constant_warmup(num_warmup_steps), last_epoch=last_epoch)

    def lr_scheduler_inverse_sqrt(self, optimizer, warmup_steps, decay_factor):
        _positive(warmupSteps=warmup_steps, decayFactor=decay_factor)
        return self._opt_scheduler("lr_scheduler_inverse_sqrt", lr_scheduler.LambdaLR, "inverse_sqrt_scheduler",
                               optimizer=optimizer, lr_lambda=_inverse_sqrt(warmup_steps, decay_factor))

    def lr_scheduler_noam(self, optimizer, model_size, warmup_steps):
        _positive(modelSize=model_size, warmupSteps=warmup_steps)
        return self._opt_scheduler("lr_scheduler_noam", lr_scheduler.LambdaLR, optimizer=optimizer,
                               lr_lambda=_noam(model_size, warmup_steps))

    def lr_scheduler_cyclic(self, optimizer, base_lr, max_lr, step_size, mode):
        _positive(baseLr=base_lr, stepSize=step_size)
        _check(max_lr > base_lr, "maxLr", f"greater than baseLr ({base_lr})", max_lr)
        return self._opt_scheduler("lr_scheduler_cyclic", lr_scheduler.CyclicLR, "cyclic_scheduler",
                               optimizer=optimizer, base_lr=base_lr, max_lr=max_lr, step_size_up=step_size,
                               mode=mode, cycle_momentum=_cycles_momentum(optimizer))

    def opt_one_cycle(self, command, optimizer, max_lr, total_steps, pct_start, anneal_strategy, div_factor,
                      final_div_factor):
        """lr_scheduler_onecycle_advanced (and lr_scheduler_one_cycle, with finalDivFactor 1e4)."""
        _positive(maxLr=max_lr, totalSteps=total_steps, divFactor=div_factor, finalDivFactor=final_div_factor)
        _check(0 < pct_start < 1, "pctStart", "in (0, 1)", pct_start)
        return self._opt_scheduler(command, lr_scheduler.OneCycleLR, optimizer=optimizer, max_lr=max_lr,
                               total_steps=total_steps, pct_start=pct_start, anneal_strategy=anneal_strategy,
                               div_factor=div_factor, final_div_factor=final_div_factor,
                               cycle_momentum=_cycles_momentum(optimizer))

    def lr_scheduler_one_cycle(self, optimizer, max_lr, total_steps, pct_start, anneal_strategy, div_factor):
        return self.opt_one_cycle("lr_scheduler_one_cycle", optimizer, max_lr, total_steps, pct_start, anneal_strategy,
                                  div_factor, 1e4)

    def opt_plateau(self, command, optimizer, mode, factor, patience, threshold, threshold_mode, min_lr):
        """lr_scheduler_reduce_on_plateau (and lr_scheduler_plateau, with torch's threshold and least rate)."""
        _check(0 < factor < 1, "factor", "in (0, 1)", factor)
        _positive(patience=patience)  # the extension's rule (torch also takes 0)
        _non_negative(threshold=threshold, minLr=min_lr)
        return self._opt_scheduler(command, lr_scheduler.ReduceLROnPlateau, optimizer=optimizer, mode=mode,
                               factor=factor, patience=patience, threshold=threshold, threshold_mode=threshold_mode,
                               min_lr=min_lr)

    def lr_scheduler_plateau(self, optimizer, mode, factor, patience):
        return self.opt_plateau("lr_scheduler_plateau", optimizer, mode, factor, patience, 1e-4, "rel", 0.0)

    def opt_stepped(self, command, scheduler, metric):
        """lr_scheduler_step_advanced (and lr_scheduler_step_update, with no metric)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "lr_scheduler.step() before optimizer.step()": Python advice
            if isinstance(scheduler, lr_scheduler.ReduceLROnPlateau):
                if metric is None:
                    raise CommandError(f"{command}: a plateau scheduler steps on a metric: use "
                                       "torch::lr_scheduler_step_advanced $scheduler $metric")
                _built(command, scheduler.step, metric)
            else:
                _built(command, scheduler.step)  # OneCycleLR refuses to step past its total
        return "OK"

    def lr_scheduler_step_update(self, scheduler):
        return self.opt_stepped("lr_scheduler_step_update", scheduler, None)

    def get_lr_advanced(self, scheduler):
        return float(scheduler.get_last_lr()[0])

    # ---- gradient scaler ----

    def grad_scaler_new(self, init_scale, growth_factor, backoff_factor, growth_interval):
        for name, value in (("initScale", init_scale), ("growthFactor", growth_factor),
                            ("backoffFactor", backoff_factor), ("growthInterval", growth_interval)):
            if value <= 0:
                raise CommandError(f"Invalid parameters: all values must be positive, got {name} {value}")
        device = "cuda" if torch.cuda.is_available() else "cpu"
        return _built("grad_scaler_new", torch.amp.GradScaler, device, init_scale=init_scale,
                      growth_factor=growth_factor, backoff_factor=backoff_factor, growth_interval=growth_interval)

    def grad_scaler_scale(self, scaler, tensor):
        if not (tensor.dtype.is_floating_point or tensor.dtype.is_complex):
            raise CommandError(f"grad_scaler_scale: scales a floating-point loss, got {dtypes.DISPLAY[tensor.dtype]}")
        return _built("grad_scaler_scale", scaler.scale, tensor)

    def grad_scaler_step(self, scaler, optimizer):
        if isinstance(optimizer, torch.optim.LBFGS):
            raise CommandError("grad_scaler_step: LBFGS needs a closure that recomputes the loss")
        if scaler.is_enabled() and scaler._scale is None:
            raise CommandError("grad_scaler_step: no loss was scaled yet: call torch::grad_scaler_scale on the "
                               "loss and backward the result first")
        if not any(p.grad is not None for group in optimizer.param_groups for p in group["params"]):
            raise CommandError("grad_scaler_step: the optimizer's parameters have no gradients: backward the "
                               "scaled loss first")
        _built("grad_scaler_step", scaler.step, optimizer)
        found = scaler._per_optimizer_states[id(optimizer)]["found_inf_per_device"].values()
        return "scaler step skipped: inf or NaN gradients" if any(v.item() for v in found) else "scaler step completed"

    def grad_scaler_update(self, scaler):
        if scaler.is_enabled() and scaler._scale is None:
            raise CommandError("grad_scaler_update: no loss was scaled yet: call torch::grad_scaler_scale first")
        _built("grad_scaler_update", scaler.update)
        return "scaler updated"

    def grad_scaler_get_scale(self, scaler):
        return float(scaler.get_scale())


# ---- declarations --------------------------------------------------------------------

C = OptimizersCommands
PARAMETERS = Param("parameters", "handles", doc="List of tensor handles to optimize (a layer handle stands for all "
                   "its parameters)", named=("-parameters", "-params"))
OPTIMIZER = Param("optimizer", "optimizer", doc="Handle of an optimizer", named=("-optimizer", "-opt"))
SCHEDULER = Param("scheduler", "scheduler", doc="Handle of a learning-rate scheduler",
                  named=("-scheduler", "-handle"))
SCHEDULED = Param("optimizer", "optimizer", doc="Handle of the optimizer to schedule")
# The extension's words for an unknown handle where its commands say "handle"
# (optimizer_step, optimizer_zero_grad, lr_scheduler_exponential_decay, get_lr_advanced,
# lr_scheduler_step_advanced) rather than "name".
OPTIMIZER_WORDS, SCHEDULER_WORDS = "Invalid optimizer handle", "Invalid scheduler handle"
SCALER = Param("scaler", "scaler", doc="Handle of a gradient scaler from grad_scaler_new",
               named=("-scaler", "-gradScaler", "-gradscaler"))


def _lr(default, positional=False):
    return Param("lr", "double", default, "Learning rate (> 0)", named=("-lr", "-learningRate"),
                 required_positionally=positional)


def _double(name, default, doc, *aliases, positional=False, named_only=False):
    return Param(name, "double", default, doc, named=(f"-{name}", *aliases), required_positionally=positional,
                 named_only=named_only)


def _int(name, default, doc, *aliases, positional=False):
    return Param(name, "int", default, doc, named=(f"-{name}", *aliases), required_positionally=positional)


WEIGHT_DECAY = {default: _double("weightDecay", default, "Weight decay coefficient (>= 0), applied as the algorithm does",
                                 "-weight_decay") for default in (0, 0.01)}
EPS = {default: _double("eps", default, "Term added to the denominator for numerical stability", "-epsilon")
       for default in (1e-8, 1e-10, 1e-6)}
BETA1, BETA2 = (_double(name, default, doc) for name, default, doc in (
    ("beta1", 0.9, "Decay of the first moment (the gradient's running mean), in [0, 1)"),
    ("beta2", 0.999, "Decay of the second moment (the squared gradient's running mean), in [0, 1)")))
NAMED_BETAS = tuple(_double(name, None, f"{which}; overrides betas", named_only=True) for name, which in (
    ("beta1", "Decay of the first moment"), ("beta2", "Decay of the second moment")))


def _betas(default):
    return Param("betas", "text", None, f"{{beta1 beta2}}: the moments' decays; {{{default}}} when not given")


def _optimizer(name, camel, summary, params, engine, aliases=()):
    return Command(name, camel, OPTIMIZERS, summary, (PARAMETERS, *params), engine=engine, aliases=aliases)


def _scheduler(name, camel, summary, params, engine, optimizer=SCHEDULED, fixed=()):
    return Command(name, camel, OPTIMIZERS, summary, (optimizer, *params), engine=engine, fixed=fixed)


COSINE = (Param("tMax", "int", doc="Steps of the half cosine from the initial rate down to etaMin",
                named=("-tMax", "-t_max", "-T_max")),
          _double("etaMin", 0.0, "Least learning rate", "-eta_min"))
LAST_EPOCH = _int("lastEpoch", -1, "The last step already taken (-1: start afresh)", "-last_epoch")
ONE_CYCLE = (_double("maxLr", REQUIRED, "Peak learning rate", "-max_lr"),
             _int("totalSteps", REQUIRED, "Steps in the cycle", "-total_steps"),
             _double("pctStart", 0.3, "Fraction of the steps spent increasing the rate", "-pct_start"),
             Param("annealStrategy", "text", "cos", "How the rate moves: cos or linear",
                   named=("-annealStrategy", "-anneal_strategy"), choices=("cos", "linear")),
             _double("divFactor", 25.0, "The initial rate is maxLr / divFactor", "-div_factor"))
PLATEAU = (Param("mode", "text", "min", "min: the metric should fall; max: rise", choices=("min", "max")),
           _double("factor", 0.1, "The rate is multiplied by it on a plateau, in (0, 1)"),
           _int("patience", 10, "Steps without improvement before the rate falls"))

COMMANDS = (
    _optimizer("optimizer_sgd", "optimizerSgd", "Stochastic gradient descent (torch.optim.SGD): an optimizer handle", (
        _lr(0.01, True), _double("momentum", 0.0, "Momentum factor (>= 0)"),
        _double("dampening", 0.0, "Dampening of the momentum (>= 0)"), WEIGHT_DECAY[0],
        Param("nesterov", "bool", 0, "Nesterov momentum (needs momentum > 0 and dampening 0)")), C.optimizer_sgd),
    _optimizer("optimizer_momentum_sgd", "optimizerMomentumSgd", "SGD with momentum (torch.optim.SGD): an optimizer "
               "handle", (_lr(0.01, True), _double("momentum", 0.9, "Momentum factor (>= 0)", positional=True),
                          WEIGHT_DECAY[0]), C.optimizer_momentum_sgd),
    _optimizer("optimizer_adam", "optimizerAdam", "Adam (torch.optim.Adam): an optimizer handle", (
        _lr(0.001, True), BETA1, BETA2, WEIGHT_DECAY[0]), C.optimizer_adam),
    _optimizer("optimizer_adamw", "optimizerAdamw", "AdamW, Adam with decoupled weight decay (torch.optim.AdamW): an "
               "optimizer handle", aliases=("optimizerAdamW",), params=(
                   _lr(0.001, True), WEIGHT_DECAY[0.01],
                   *(_double(p.name, p.default, p.doc, named_only=True) for p in (BETA1, BETA2)),
                   _double("eps", 1e-8, EPS[1e-8].doc, "-epsilon", named_only=True),
                   Param("amsgrad", "bool", 0, "The AMSGrad variant", named_only=True)), engine=C.optimizer_adamw),
    _optimizer("optimizer_rmsprop", "optimizerRmsprop", "RMSprop (torch.optim.RMSprop): an optimizer handle", (
        _lr(0.01, True), _double("alpha", 0.99, "Smoothing constant of the squared gradient's mean (> 0)"),
        EPS[1e-8]), C.optimizer_rmsprop),
    _optimizer("optimizer_adagrad", "optimizerAdagrad", "Adagrad (torch.optim.Adagrad): an optimizer handle", (
        _lr(0.01, True), EPS[1e-10]), C.optimizer_adagrad),
    _optimizer("optimizer_lbfgs", "optimizerLbfgs", "L-BFGS (torch.optim.LBFGS): an optimizer handle", (
        _lr(1.0), _int("maxIter", 20, "Most iterations per step", "-max_iter"),
        _int("maxEval", 25, "Most function evaluations per step", "-max_eval"),
        _double("toleranceGrad", 1e-7, "Stop when the gradient's largest entry is below it", "-tolerance_grad"),
        _double("toleranceChange", 1e-9, "Stop when the change is below it", "-tolerance_change")),
        C.optimizer_lbfgs),
    _optimizer("optimizer_rprop", "optimizerRprop", "Resilient backpropagation (torch.optim.Rprop): an optimizer "
               "handle", (_lr(0.01), Param("etas", "text", "0.5 1.2", "{etaminus etaplus}: step shrink and growth "
                                             "factors, 0 < etaminus < 1 < etaplus"),
                          Param("stepSizes", "text", "1e-06 50.0", "{min max}: bounds of the step sizes",
                                named=("-stepSizes", "-step_sizes"))), C.optimizer_rprop),
    _optimizer("optimizer_adamax", "optimizerAdamax", "Adamax, Adam with the infinity norm (torch.optim.Adamax): an "
               "optimizer handle", (_lr(0.002), _betas("0.9 0.999"), EPS[1e-8], WEIGHT_DECAY[0], *NAMED_BETAS),
               C.optimizer_adamax),
    _optimizer("optimizer_sparse_adam", "optimizerSparseAdam", "SparseAdam, Adam for sparse gradients "
               "(torch.optim.SparseAdam): an optimizer handle", (_lr(0.001), BETA1, BETA2, EPS[1e-8],
                                                                 WEIGHT_DECAY[0]), C.optimizer_sparse_adam),
    _optimizer("optimizer_nadam", "optimizerNadam", "NAdam, Adam with Nesterov momentum (torch.optim.NAdam): an "
               "optimizer handle", (_lr(0.002), _betas("0.9 0.999"), EPS[1e-8], WEIGHT_DECAY[0],
                                    _double("momentumDecay", 0.004, "Momentum decay (psi)", "-momentum_decay"),
                                    *NAMED_BETAS), C.optimizer_nadam),
    _optimizer("optimizer_radam", "optimizerRadam", "RAdam, rectified Adam (torch.optim.RAdam): an optimizer handle",
               (_lr(0.001), _betas("0.9 0.999"), EPS[1e-8], WEIGHT_DECAY[0], *NAMED_BETAS), C.optimizer_radam,
               aliases=("optimizerRAdam",)),
    _optimizer("optimizer_adafactor", "optimizerAdafactor", "Adafactor (torch.optim.Adafactor): an optimizer handle", (
        _lr(0.8), _double("eps2", 1e-30, "Floor of the squared-gradient estimate (torch's eps[0] is its square root)",
                          "-eps"),
        _double("clipThreshold", 1.0, "Clipping threshold of the update's RMS, >= 1 (torch's d)", "-clipingThreshold"),
        _double("decayRate", -1.0, "Exponent of the second moment's decay (-1: torch's -0.8)"),
        _double("beta1", None, "Not supported: torch's Adafactor keeps no first moment (-1 or not given)"),
        WEIGHT_DECAY[0]), C.optimizer_adafactor),
    _optimizer("optimizer_lamb", "optimizerLamb", "LAMB, layer-wise adaptive Adam with trust ratios: an optimizer "
               "handle", (_lr(0.001), _betas("0.9 0.999"), EPS[1e-6], WEIGHT_DECAY[0.01], *NAMED_BETAS),
               C.optimizer_lamb),
    _optimizer("optimizer_novograd", "optimizerNovograd", "NovoGrad, Adam-like with per-tensor second moments: an "
               "optimizer handle", (_lr(0.01), _betas("0.95 0.98"), EPS[1e-8], WEIGHT_DECAY[0],
                                    Param("gradAveraging", "bool", 0, "Scale the normalized gradient by 1 - beta1",
                                          named=("-gradAveraging", "-grad_averaging")), *NAMED_BETAS),
               C.optimizer_novograd),
    Command("optimizer_step", "optimizerStep", OPTIMIZERS, "One step of an optimizer from its parameters' gradients: OK",
            (replace(OPTIMIZER, unknown=OPTIMIZER_WORDS),), engine=C.optimizer_step),
    Command("optimizer_zero_grad", "optimizerZeroGrad", OPTIMIZERS, "Clears the gradients of an optimizer's parameters: "
            "OK", (replace(OPTIMIZER, unknown=OPTIMIZER_WORDS), Param("setToNone", "bool", 1, "Drop the gradients (1) or fill them with zeros (0)",
                                    named=("-setToNone", "-set_to_none"))), engine=C.optimizer_zero_grad),
    Command("get_lr", "getLr", OPTIMIZERS, "The learning rate of an optimizer (its first parameter group)",
            (Param("optimizer", "optimizer", doc="Handle of an optimizer"),), engine=C.get_lr),
    _scheduler("lr_scheduler_step", "lrSchedulerStep", "StepLR: the rate times gamma every stepSize steps", (
        _int("stepSize", REQUIRED, "Steps between decays (> 0)", "-step_size"),
        _double("gamma", 0.1, "Decay factor (> 0)")), C.lr_scheduler_step),
    _scheduler("lr_scheduler_multi_step", "lrSchedulerMultiStep", "MultiStepLR: the rate times gamma at each "
               "milestone", (Param("milestones", "ints", doc="Steps at which the rate decays, e.g. {30 80}"),
                             _double("gamma", 0.1, "Decay factor (> 0)")), C.lr_scheduler_multi_step),
    _scheduler("lr_scheduler_exponential", "lrSchedulerExponential", "ExponentialLR: the rate times gamma every step",
               (_double("gamma", 0.95, "Decay factor per step (> 0)", "-decay"),), C.opt_exponential,
               optimizer=OPTIMIZER, fixed=("lr_scheduler_exponential",)),
    _scheduler("lr_scheduler_exponential_decay", "lrSchedulerExponentialDecay", "ExponentialLR: the rate times gamma "
               "every step", (_double("gamma", 0.95, "Decay factor per step, in (0, 1]", positional=True),),
               C.lr_scheduler_exponential_decay, optimizer=replace(SCHEDULED, unknown=OPTIMIZER_WORDS)),
    _scheduler("lr_scheduler_cosine", "lrSchedulerCosine", "CosineAnnealingLR: the rate follows a cosine down to "
               "etaMin", COSINE, C.opt_cosine, fixed=("lr_scheduler_cosine",)),
    _scheduler("lr_scheduler_cosine_annealing", "lrSchedulerCosineAnnealing", "CosineAnnealingLR: the rate follows a "
               "cosine down to etaMin", COSINE, C.opt_cosine, fixed=("lr_scheduler_cosine_annealing",)),
    _scheduler("lr_scheduler_cosine_annealing_warm_restarts", "lrSchedulerCosineAnnealingWarmRestarts",
               "CosineAnnealingWarmRestarts: cosine cycles that restart, each tMult times longer", (
                   Param("t0", "int", doc="Steps of the first cycle (> 0)", named=("-t0", "-T_0", "-T0")),
                   Param("tMult", "int", 1, "Growth of each cycle's length (>= 1)", named=("-tMult", "-T_mult",
                                                                                          "-TMult")),
                   _double("etaMin", 0.0, "Least learning rate", "-eta_min")),
               C.lr_scheduler_cosine_annealing_warm_restarts),
    _scheduler("lr_scheduler_multiplicative", "lrSchedulerMultiplicative", "MultiplicativeLR: the rate times a "
               "fixed factor every step", (_double("lrLambda", 1.0, "The factor (> 0)", "-lr_lambda",
                                                   positional=True),), C.lr_scheduler_multiplicative),
    _scheduler("lr_scheduler_lambda", "lrSchedulerLambda", "LambdaLR with the factor multiplier ** step", (
        _double("multiplier", 1.0, "Base of the factor (> 0)", "-lambda"),), C.lr_scheduler_lambda),
    _scheduler("lr_scheduler_polynomial", "lrSchedulerPolynomial", "PolynomialLR: the rate decays polynomially to 0 "
               "in totalIters steps", (_int("totalIters", REQUIRED, "Steps of the decay (> 0)", "-total_iters"),
                                       _double("power", 1.0, "The polynomial's power (>= 0)"), LAST_EPOCH),
               C.lr_scheduler_polynomial),
    _scheduler("lr_scheduler_linear_with_warmup", "lrSchedulerLinearWithWarmup", "Linear warmup from 0, then linear "
               "decay to 0 at numTrainingSteps", (
                   _int("numWarmupSteps", REQUIRED, "Steps of the warmup (>= 0)", "-num_warmup_steps"),
                   _int("numTrainingSteps", REQUIRED, "Step at which the rate reaches 0", "-num_training_steps"), LAST_EPOCH), C.lr_scheduler_linear_with_warmup),
    _scheduler("lr_scheduler_constant_with_warmup", "lrSchedulerConstantWithWarmup", "Linear warmup from 0, then the "
               "optimizer's rate", (_int("numWarmupSteps", REQUIRED, "Steps of the warmup (>= 0)", "-num_warmup_steps"), LAST_EPOCH), C.lr_scheduler_constant_with_warmup),
    _scheduler("lr_scheduler_inverse_sqrt", "lrSchedulerInverseSqrt", "Linear warmup, then decay as the inverse square "
               "root of the step", (_int("warmupSteps", REQUIRED, "Steps of the warmup (> 0)", "-warmup_steps"),
                                    _double("decayFactor", 1.0, "Factor on the whole schedule (> 0)",
                                            "-decay_factor")), C.lr_scheduler_inverse_sqrt),
    _scheduler("lr_scheduler_noam", "lrSchedulerNoam", "The Transformer's (Noam) schedule: warmup, then inverse square "
               "root decay", (_int("modelSize", REQUIRED, "Model dimension d_model (> 0)", "-model_size"),
                              _int("warmupSteps", 4000, "Steps of the warmup (> 0)", "-warmup_steps")),
               C.lr_scheduler_noam),
    _scheduler("lr_scheduler_cyclic", "lrSchedulerCyclic", "CyclicLR: the rate cycles between baseLr and maxLr", (
        _double("baseLr", REQUIRED, "Lower bound of the cycle", "-base_lr"),
        _double("maxLr", REQUIRED, "Upper bound of the cycle", "-max_lr"),
        _int("stepSize", 2000, "Steps of each half cycle (> 0)", "-step_size"),
        Param("mode", "text", "triangular", "triangular, triangular2 or exp_range",
              choices=("triangular", "triangular2", "exp_range"))), C.lr_scheduler_cyclic),
    _scheduler("lr_scheduler_one_cycle", "lrSchedulerOneCycle", "OneCycleLR: warmup to maxLr, then annealing far "
               "below the start", ONE_CYCLE, C.lr_scheduler_one_cycle),
    _scheduler("lr_scheduler_onecycle_advanced", "lrSchedulerOnecycleAdvanced", "OneCycleLR with finalDivFactor: "
               "warmup to maxLr, then annealing", (
                   *ONE_CYCLE, _double("finalDivFactor", 1e4, "The final rate is the initial one / finalDivFactor",
                                       "-final_div_factor")), C.opt_one_cycle,
               fixed=("lr_scheduler_onecycle_advanced",)),
    _scheduler("lr_scheduler_plateau", "lrSchedulerPlateau", "ReduceLROnPlateau: the rate falls when a metric stops "
               "improving", PLATEAU, C.lr_scheduler_plateau),
    _scheduler("lr_scheduler_reduce_on_plateau", "lrSchedulerReduceOnPlateau", "ReduceLROnPlateau: the rate falls "
               "when a metric stops improving", (
                   *PLATEAU, _double("threshold", 1e-4, "Least change that counts as an improvement"),
                   Param("thresholdMode", "text", "rel", "rel: relative to the best; abs: absolute",
                         named=("-thresholdMode", "-threshold_mode"), choices=("rel", "abs")),
                   _double("minLr", 0.0, "Least learning rate", "-min_lr")), C.opt_plateau,
               fixed=("lr_scheduler_reduce_on_plateau",)),
    Command("lr_scheduler_step_update", "lrSchedulerStepUpdate", OPTIMIZERS, "One step of a scheduler: sets its "
            "optimizer's new rate; OK", (SCHEDULER,), engine=C.lr_scheduler_step_update),
    Command("lr_scheduler_step_advanced", "lrSchedulerStepAdvanced", OPTIMIZERS, "One step of a scheduler, with the "
            "metric a plateau scheduler needs; OK", (
                replace(SCHEDULER, unknown=SCHEDULER_WORDS),
                _double("metric", None, "The metric (e.g. the validation loss); plateau schedulers only")),
            engine=C.opt_stepped, fixed=("lr_scheduler_step_advanced",)),
    Command("get_lr_advanced", "getLrAdvanced", OPTIMIZERS, "The learning rate a scheduler last set",
            (Param("scheduler", "scheduler", doc="Handle of a learning-rate scheduler", unknown=SCHEDULER_WORDS),),
            engine=C.get_lr_advanced),
    Command("grad_scaler_new", "gradScalerNew", OPTIMIZERS, "A gradient scaler for mixed precision "
            "(torch.amp.GradScaler): a handle", (
                _double("initScale", 65536.0, "The first scale factor", "-init_scale"),
                _double("growthFactor", 2.0, "Growth of the scale after growthInterval clean steps (> 1)",
                        "-growth_factor"),
                _double("backoffFactor", 0.5, "Shrink of the scale after inf or NaN gradients (< 1)",
                        "-backoff_factor"),
                _int("growthInterval", 2000, "Clean steps between growths", "-growth_interval")),
            engine=C.grad_scaler_new),
    Command("grad_scaler_scale", "gradScalerScale", OPTIMIZERS, "A loss times the scaler's scale: a new tensor handle", (
        SCALER, Param("tensor", "tensor", doc="Handle of the loss (or outputs)", named=("-tensor", "-input"))),
            engine=C.grad_scaler_scale),
    Command("grad_scaler_step", "gradScalerStep", OPTIMIZERS, "Unscales the gradients and steps the optimizer unless "
            "they hold inf or NaN", (SCALER, Param("optimizer", "optimizer", doc="Handle of the optimizer",
                                                    named=("-optimizer", "-optim"), unknown="Optimizer not found")),
            engine=C.grad_scaler_step),
    Command("grad_scaler_update", "gradScalerUpdate", OPTIMIZERS, "Updates the scale after a step: scaler updated",
            (SCALER,), engine=C.grad_scaler_update),
    Command("grad_scaler_get_scale", "gradScalerGetScale", OPTIMIZERS, "The scaler's current scale factor", (SCALER,),
            engine=C.grad_scaler_get_scale),
)
