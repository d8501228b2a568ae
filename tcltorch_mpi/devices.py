"""Device names as Tcl scripts write them: cpu, cuda (this rank's GPU), cuda:<i>."""

import torch

from .errors import CommandError, invalid

CPU = torch.device("cpu")


class Devices:
    def __init__(self, local_rank):
        # The GPU that "cuda" means here: local rank modulo the GPUs this process sees.
        self.local_rank = local_rank
        self._current_chosen = False

    def parse(self, name):
        if name == "cpu":
            return CPU
        if name != "cuda" and not name.startswith("cuda:"):
            raise invalid("device", "cpu, cuda or cuda:<index>", name)
        count = torch.cuda.device_count()
        if count == 0:
            raise CommandError(f'Invalid device: "{name}" was asked for, but CUDA is not '
                               "available in this process")
        if name == "cuda":
            return self._used(torch.device("cuda", self.local_rank % count))
        index = name[len("cuda:"):]
        if not index.isdigit() or int(index) >= count:
            raise CommandError(f'Invalid device: "{name}"; this process sees {count} GPU(s): '
                               f"cuda:0..cuda:{count - 1}")
        return self._used(torch.device("cuda", int(index)))

    def _used(self, gpu):
        if not self._current_chosen:
            # The first GPU used becomes current: MPI libraries and cupy work on the
            # current GPU, and a rank using another than GPU 0 makes no context there.
            torch.cuda.set_device(gpu)
            self._current_chosen = True
        return gpu
